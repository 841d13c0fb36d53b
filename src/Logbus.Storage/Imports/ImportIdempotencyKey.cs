namespace Logbus.Storage.Imports;

/// <summary>
/// An upload's <c>Idempotency-Key</c> (scoped by API key), the import it last started, and how that upload ended
/// (table <c>import_idempotency_keys</c>). Written by the Api as the upload goes, not by the saga: a retry must know at
/// once whether the file was received whole.
/// </summary>
public sealed class ImportIdempotencyKey
{
    public required string Key { get; set; }

    public Guid ImportId { get; set; }

    /// <summary>When the key was first used; kept when a retry binds it to a new import. Lines without a timestamp get it.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>One of <see cref="ImportUploadStates"/>; null on rows from before it was recorded.</summary>
    public string? UploadState { get; set; }

    public long? LinesRead { get; set; }

    public long? Accepted { get; set; }

    public long? Rejected { get; set; }
}
