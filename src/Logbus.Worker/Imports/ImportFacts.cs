using System.Text.Json;
using Logbus.Contracts;
using Logbus.Storage.Imports;

namespace Logbus.Worker.Imports;

/// <summary>
/// What each import message says about its import, written into the saga's row; which state that makes is decided by
/// <see cref="ImportStateMachine"/>. Messages arrive in any order and more than once, so every record is idempotent:
/// the first report of the upload's end wins, and a chunk counts once, by its number. No I/O, no clock: the caller
/// passes the time.
/// </summary>
public static class ImportFacts
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Record(ImportState import, ImportStarted message, DateTimeOffset now)
    {
        import.FileName = message.FileName;
        import.Format = message.Format;
        import.StartedAt = message.StartedAt;
        Progressed(import, now);
    }

    public static void Record(ImportState import, ImportReceived message, DateTimeOffset now)
    {
        if (import.ChunksExpected is null)
        {
            RecordUpload(import, message.LinesRead, message.Accepted, message.Rejected, message.Chunks, message.Errors);
            import.ReceivedAt = message.ReceivedAt;
            if (message.CancelledWhileReceiving)
            {
                import.CancelRequestedAt ??= message.ReceivedAt;
            }
        }

        Progressed(import, now);
    }

    public static void Record(ImportState import, ImportUploadFailed message, DateTimeOffset now)
    {
        if (import.ChunksExpected is null)
        {
            RecordUpload(import, message.LinesRead, message.Accepted, message.Rejected, message.Chunks, message.Errors);
            import.ReceivedAt = message.FailedAt;
            import.UploadFailed = true;
            import.FailureReason = message.Reason;
        }

        Progressed(import, now);
    }

    public static void Record(ImportState import, LogEventsStored message, DateTimeOffset now)
    {
        if (MarkSeen(import, message.ChunkNumber))
        {
            import.ChunksStored++;
            import.Stored += message.Stored;
            import.Duplicates += message.Duplicates;
            import.Skipped += message.Skipped;
        }

        Progressed(import, now);
    }

    /// <summary>
    /// A cancel is a flag in the row (see <see cref="ImportStatusStore.RequestCancelAsync"/>), or an upload that a cancel
    /// stopped: whichever message comes next notices it.
    /// </summary>
    public static bool CancelRequested(ImportState import) => import.CancelRequestedAt is not null;

    /// <summary>
    /// The whole file is stored: its end was reported and every chunk it counted since. A broken-off upload's chunks are
    /// only part of the file, however many of them are stored.
    /// </summary>
    public static bool EveryChunkStored(ImportState import) =>
        !import.UploadFailed && import.ChunksExpected is { } expected && import.ChunksStored >= expected;

    /// <summary>Why the watchdog's report fails an import that is still receiving or persisting.</summary>
    public static string StallReason(ImportState import) =>
        import.ChunksExpected is { } expected
            ? $"{expected - import.ChunksStored} of {expected} chunks were not stored within the timeout (missing: {Missing(import, expected)}); "
              + "they may still arrive, which completes the import"
            : $"the upload stopped after {import.ChunksStored} stored chunks and never finished; upload the file again with the same Idempotency-Key";

    /// <summary>Any message but the watchdog's shows the import is moving; the watchdog measures its timeouts from this.</summary>
    private static void Progressed(ImportState import, DateTimeOffset now)
    {
        import.LastProgressAt = now;
        if (import.StartedAt == default)
        {
            // A chunk can overtake the message that starts the import.
            import.StartedAt = now;
        }
    }

    private static void RecordUpload(ImportState import, long lines, long accepted, long rejected, int chunks, IReadOnlyList<ImportLineError> errors)
    {
        import.LinesRead = lines;
        import.Accepted = accepted;
        import.Rejected = rejected;
        import.ChunksExpected = chunks;
        import.Errors = errors.Count == 0 ? null : JsonSerializer.Serialize(errors, Json);
    }

    /// <summary>Sets the chunk's bit; false when it was already set.</summary>
    private static bool MarkSeen(ImportState import, int chunk)
    {
        var index = chunk / 8;
        var bit = (byte)(1 << (chunk % 8));
        if (index < import.ChunksSeen.Length && (import.ChunksSeen[index] & bit) != 0)
        {
            return false;
        }

        // A new array rather than an edit in place, so the change tracker sees the column change.
        var seen = new byte[Math.Max(index + 1, import.ChunksSeen.Length)];
        import.ChunksSeen.CopyTo(seen, 0);
        seen[index] |= bit;
        import.ChunksSeen = seen;
        return true;
    }

    private static string Missing(ImportState import, int expected)
    {
        var missing = Enumerable.Range(0, expected)
            .Where(c => c / 8 >= import.ChunksSeen.Length || (import.ChunksSeen[c / 8] & (1 << (c % 8))) == 0)
            .ToList();
        return string.Join(", ", missing.Take(20)) + (missing.Count > 20 ? $" and {missing.Count - 20} more" : "");
    }
}
