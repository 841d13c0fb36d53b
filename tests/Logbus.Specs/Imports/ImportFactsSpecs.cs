extern alias worker;
using Logbus.Contracts;
using Logbus.Storage.Imports;
using worker::Logbus.Worker.Imports;

namespace Logbus.Specs.Imports;

/// <summary>
/// What the import saga records from each message, without the state machine: records are idempotent and do not depend on
/// the order messages arrive in.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ImportFactsSpecs
{
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly DateTimeOffset At = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = At.AddMinutes(3);

    [Fact]
    public void A_chunk_reported_twice_counts_once_and_chunks_are_told_apart_by_number()
    {
        var import = new ImportState();
        ImportFacts.Record(import, Chunk(9, stored: 100), At);
        ImportFacts.Record(import, Chunk(9, stored: 0, duplicates: 100), At);
        ImportFacts.Record(import, Chunk(0, stored: 0, skipped: 50), At);

        Assert.Equal((2, 100L, 0L, 50L), (import.ChunksStored, import.Stored, import.Duplicates, import.Skipped));
        Assert.Equal([0b0000_0001, 0b0000_0010], import.ChunksSeen);
    }

    [Fact]
    public void The_first_report_of_the_uploads_end_wins()
    {
        var import = new ImportState();
        ImportFacts.Record(import, new ImportReceived(Id, 20, 18, 2, 2, [new ImportLineError(4, "bad")], false, At), At);
        ImportFacts.Record(import, new ImportUploadFailed(Id, "broke off", 5, 5, 0, 1, [], Later), Later);
        ImportFacts.Record(import, new ImportReceived(Id, 99, 99, 0, 7, [], true, Later), Later);

        Assert.Equal((20L, 18L, 2L, 2, At), (import.LinesRead, import.Accepted, import.Rejected, import.ChunksExpected, import.ReceivedAt));
        Assert.False(import.UploadFailed);
        Assert.Null(import.FailureReason);
        Assert.Null(import.CancelRequestedAt);
        Assert.Contains("\"line\":4", import.Errors);
    }

    [Fact]
    public void An_upload_stopped_by_a_cancel_records_the_cancel()
    {
        var import = new ImportState();
        ImportFacts.Record(import, new ImportReceived(Id, 10, 10, 0, 1, [], true, At), Later);

        Assert.True(ImportFacts.CancelRequested(import));
        Assert.Equal(At, import.CancelRequestedAt);
    }

    [Fact]
    public void Every_chunk_is_stored_only_once_the_end_of_a_whole_file_is_known()
    {
        var import = new ImportState();
        ImportFacts.Record(import, Chunk(0, stored: 10), At);
        Assert.False(ImportFacts.EveryChunkStored(import));

        ImportFacts.Record(import, new ImportReceived(Id, 10, 10, 0, 1, [], false, At), At);
        Assert.True(ImportFacts.EveryChunkStored(import));

        var brokenOff = new ImportState();
        ImportFacts.Record(brokenOff, new ImportUploadFailed(Id, "broke off", 10, 10, 0, 1, [], At), At);
        ImportFacts.Record(brokenOff, Chunk(0, stored: 10), At);
        Assert.False(ImportFacts.EveryChunkStored(brokenOff));
    }

    [Fact]
    public void A_stall_reason_names_the_missing_chunks_or_the_unfinished_upload()
    {
        var import = new ImportState();
        ImportFacts.Record(import, Chunk(1, stored: 10), At);
        Assert.Contains("stopped after 1 stored chunks and never finished", ImportFacts.StallReason(import));

        ImportFacts.Record(import, new ImportReceived(Id, 300, 300, 0, 30, [], false, At), At);
        var reason = ImportFacts.StallReason(import);
        Assert.StartsWith("29 of 30 chunks were not stored", reason);
        Assert.Contains("missing: 0, 2, 3,", reason);
        Assert.Contains("19, 20 and 9 more", reason);
    }

    [Fact]
    public void Every_message_is_progress_and_a_chunk_that_overtakes_the_start_dates_the_import_until_the_start_arrives()
    {
        var import = new ImportState();
        ImportFacts.Record(import, Chunk(0, stored: 1), Later);
        Assert.Equal((Later, Later), (import.StartedAt, import.LastProgressAt));

        ImportFacts.Record(import, new ImportStarted(Id, "app.csv", "csv", At), Later.AddSeconds(1));
        Assert.Equal((At, Later.AddSeconds(1), "app.csv", "csv"), (import.StartedAt, import.LastProgressAt, import.FileName, import.Format));
    }

    private static LogEventsStored Chunk(int number, int stored, int duplicates = 0, int skipped = 0) =>
        new(Guid.NewGuid(), Id, number, stored, duplicates, At, skipped);
}
