using MassTransit;

namespace Logbus.Storage.Imports;

/// <summary>
/// One bulk import as the import saga keeps it (table <c>import_state</c>). The Worker's state machine owns every
/// column except <see cref="CancelRequestedAt"/>, which a cancel request sets directly (see <see cref="ImportStatusStore.RequestCancelAsync"/>).
/// </summary>
public sealed class ImportState : SagaStateMachineInstance
{
    /// <summary>The import id.</summary>
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = string.Empty;

    /// <summary>PostgreSQL's <c>xmin</c>, for optimistic concurrency.</summary>
    public uint Version { get; set; }

    /// <summary>The longest <see cref="FileName"/> its column holds.</summary>
    public const int MaxFileNameLength = 500;

    public string? FileName { get; set; }

    /// <summary>The longest <see cref="StartedBy"/> its column holds.</summary>
    public const int MaxKeyNameLength = 200;

    /// <summary>The name of the API key that started the import (null without keys): it may read and cancel it.</summary>
    public string? StartedBy { get; set; }

    public string? Format { get; set; }

    public long LinesRead { get; set; }

    public long Accepted { get; set; }

    public long Rejected { get; set; }

    public long Stored { get; set; }

    public long Duplicates { get; set; }

    public long Skipped { get; set; }

    /// <summary>Known once the whole file was read.</summary>
    public int? ChunksExpected { get; set; }

    public int ChunksStored { get; set; }

    /// <summary>One bit per chunk number already counted, so a chunk reported twice is counted once.</summary>
    public byte[] ChunksSeen { get; set; } = [];

    /// <summary>The first rejected lines, as a JSON array of <c>{"line","reason"}</c>.</summary>
    public string? Errors { get; set; }

    public string? FailureReason { get; set; }

    /// <summary>The upload broke off; the import can only end Failed.</summary>
    public bool UploadFailed { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? ReceivedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset LastProgressAt { get; set; }

    public DateTimeOffset? CancelRequestedAt { get; set; }
}
