namespace Logbus.Contracts;

/// <summary>
/// The upload broke off (the client went away, the compressed data was corrupt): the chunks acknowledged or committed
/// before that are stored, nothing more comes.
/// </summary>
public sealed record ImportUploadFailed(
    Guid ImportId,
    string Reason,
    long LinesRead,
    long Accepted,
    long Rejected,
    int Chunks,
    IReadOnlyList<ImportLineError> Errors,
    DateTimeOffset FailedAt);
