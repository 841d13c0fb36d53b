namespace Logbus.Contracts;

/// <summary>
/// The whole file was read: every accepted event is committed in one of <paramref name="Chunks"/> chunks (numbered
/// 0 to Chunks − 1), so the saga knows when the import is complete.
/// </summary>
/// <param name="Errors">The first rejected lines and why, in line order (the count is in <paramref name="Rejected"/>).</param>
/// <param name="CancelledWhileReceiving">The upload stopped early because the import was cancelled.</param>
public sealed record ImportReceived(
    Guid ImportId,
    long LinesRead,
    long Accepted,
    long Rejected,
    int Chunks,
    IReadOnlyList<ImportLineError> Errors,
    bool CancelledWhileReceiving,
    DateTimeOffset ReceivedAt);
