extern alias worker;
using Logbus.Contracts;
using Logbus.Storage.Imports;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using worker::Logbus.Worker.Imports;

namespace Logbus.Specs.Imports;

/// <summary>
/// Every transition of the import saga, on MassTransit's test harness (a unit of logic: no I/O). Messages arrive in
/// any order and more than once; the outcome and the counts must not depend on it.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ImportStateMachineSpecs : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;
    private ISagaStateMachineTestHarness<ImportStateMachine, ImportState> _sagas = null!;

    public async Task InitializeAsync()
    {
        _provider = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddMassTransitTestHarness(x => x.AddSagaStateMachine<ImportStateMachine, ImportState>().InMemoryRepository())
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
        _sagas = _harness.GetSagaStateMachineHarness<ImportStateMachine, ImportState>();
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task Started_then_chunks_then_the_end_of_the_file_moves_Receiving_to_Persisting_to_Completed()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, "app.ndjson", "ndjson", At));
        await ExpectState(id, ImportStates.Receiving);
        await Publish(Chunk(id, 0, stored: 1000));
        await Publish(Chunk(id, 1, stored: 990, duplicates: 10));
        await ExpectState(id, ImportStates.Receiving);

        await Publish(Received(id, chunks: 3, accepted: 2500));
        await ExpectState(id, ImportStates.Persisting);
        await Publish(Chunk(id, 2, stored: 500));

        var import = await ExpectState(id, ImportStates.Completed);
        Assert.Equal((2490L, 10L, 0L, 3), (import.Stored, import.Duplicates, import.Skipped, import.ChunksStored));
        Assert.Equal("app.ndjson", import.FileName);
        Assert.NotNull(import.FinishedAt);
    }

    [Fact]
    public async Task Messages_in_reverse_order_end_in_the_same_state_with_the_same_counts()
    {
        var id = NewId.NextGuid();
        await Publish(Chunk(id, 1, stored: 100));
        await ExpectState(id, ImportStates.Receiving);
        await Publish(Received(id, chunks: 2, accepted: 200));
        await ExpectState(id, ImportStates.Persisting);
        await Publish(Chunk(id, 0, stored: 100));
        await ExpectState(id, ImportStates.Completed);
        await Publish(new ImportStarted(id, "late.ndjson", "ndjson", At));

        var import = await ExpectState(id, ImportStates.Completed);
        Assert.Equal((200L, 2, "late.ndjson", At), (import.Stored, import.ChunksStored, import.FileName, import.StartedAt));
    }

    [Fact]
    public async Task A_chunk_and_the_end_of_the_file_reported_twice_are_counted_once()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "csv", At));
        await Publish(Chunk(id, 0, stored: 100));
        await Publish(Chunk(id, 0, stored: 0, duplicates: 100));
        await Publish(Received(id, chunks: 2, accepted: 200));
        await Publish(Received(id, chunks: 5, accepted: 999));
        await Publish(Chunk(id, 1, stored: 100));

        var import = await ExpectState(id, ImportStates.Completed);
        Assert.Equal((200L, 0L, 2, 2), (import.Stored, import.Duplicates, import.ChunksStored, import.ChunksExpected));
        Assert.Equal(200, import.Accepted);
    }

    [Fact]
    public async Task Rejected_lines_end_CompletedWithErrors_keeping_their_line_numbers()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "ndjson", At));
        await Publish(Chunk(id, 0, stored: 98));
        await Publish(Received(id, chunks: 1, accepted: 98, rejected: 2,
            errors: [new ImportLineError(7, "message is required"), new ImportLineError(40, "is not valid JSON")]));

        var import = await ExpectState(id, ImportStates.CompletedWithErrors);
        var status = ImportStatus.From(import);
        Assert.Equal([7L, 40L], status.Errors.Select(e => e.Line));
        Assert.Equal(2, status.Rejected);
        Assert.Equal(1.0, status.Progress);
    }

    [Fact]
    public async Task A_file_with_no_valid_line_completes_at_once()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "ndjson", At));
        await Publish(Received(id, chunks: 0, accepted: 0, rejected: 3, errors: [new ImportLineError(1, "x")]));
        await ExpectState(id, ImportStates.CompletedWithErrors);
    }

    [Fact]
    public async Task A_broken_off_upload_fails_and_still_counts_the_chunks_it_committed()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "ndjson", At));
        await Publish(new ImportUploadFailed(id, "the upload broke off after line 1500", 1500, 1500, 0, 1, [], At));
        await ExpectState(id, ImportStates.Failed);
        await Publish(Chunk(id, 0, stored: 1000));

        var import = await ExpectState(id, ImportStates.Failed);
        Assert.Equal(1000, import.Stored);
        Assert.Contains("broke off", import.FailureReason);
    }

    [Fact]
    public async Task A_stall_while_persisting_fails_naming_the_missing_chunks_and_a_late_chunk_completes_it()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "ndjson", At));
        await Publish(Received(id, chunks: 3, accepted: 3000));
        await Publish(Chunk(id, 0, stored: 1000));
        await Publish(Chunk(id, 2, stored: 1000));
        await Publish(new ImportStalled(id, At));

        var failed = await ExpectState(id, ImportStates.Failed);
        Assert.Contains("missing: 1", failed.FailureReason);

        await Publish(Chunk(id, 1, stored: 1000));
        var completed = await ExpectState(id, ImportStates.Completed);
        Assert.Null(completed.FailureReason);
    }

    [Fact]
    public async Task A_stall_while_receiving_fails_the_import_as_an_upload_that_never_finished()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "ndjson", At));
        await Publish(new ImportStalled(id, At));
        var import = await ExpectState(id, ImportStates.Failed);
        Assert.Contains("never finished", import.FailureReason);
    }

    [Fact]
    public async Task A_cancel_moves_an_import_to_Cancelled_and_skipped_chunks_are_counted()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "ndjson", At));
        await Publish(Received(id, chunks: 3, accepted: 3000));
        await Publish(Chunk(id, 0, stored: 1000));
        await ExpectState(id, ImportStates.Persisting);

        // What DELETE /api/imports/{id} writes to the row.
        _sagas.Sagas.Contains(id)!.CancelRequestedAt = At;
        await Publish(Chunk(id, 1, stored: 0, skipped: 1000));
        await ExpectState(id, ImportStates.Cancelled);
        await Publish(Chunk(id, 2, stored: 0, skipped: 1000));

        var import = await ExpectState(id, ImportStates.Cancelled);
        Assert.Equal((1000L, 2000L, 3), (import.Stored, import.Skipped, import.ChunksStored));
    }

    [Fact]
    public async Task A_cancel_that_stopped_the_upload_ends_Cancelled()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "ndjson", At));
        await Publish(new ImportReceived(id, 10_000, 10_000, 0, 10, [], true, At));
        await ExpectState(id, ImportStates.Cancelled);
    }

    [Fact]
    public async Task A_stall_report_for_an_unknown_import_creates_nothing()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStalled(id, At));
        Assert.True(await _harness.Consumed.Any<ImportStalled>(m => m.Context.Message.ImportId == id));
        Assert.Null(_sagas.Sagas.Contains(id));
    }

    [Fact]
    public async Task A_stalled_upload_whose_end_arrives_after_every_chunk_was_stored_completes()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "ndjson", At));
        await Publish(Chunk(id, 0, stored: 1000));
        await Publish(new ImportStalled(id, At));
        Assert.Contains("never finished", (await ExpectState(id, ImportStates.Failed)).FailureReason);

        await Publish(Received(id, chunks: 1, accepted: 1000));
        var import = await ExpectState(id, ImportStates.Completed);
        Assert.Null(import.FailureReason);
    }

    [Fact]
    public async Task A_broken_off_upload_stays_Failed_whatever_arrives_after_it()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportUploadFailed(id, "the upload broke off after line 10", 10, 10, 0, 1, [], At));
        await Publish(Chunk(id, 0, stored: 10));
        await Publish(Received(id, chunks: 1, accepted: 10));
        await Publish(new ImportStalled(id, At));

        var import = await ExpectState(id, ImportStates.Failed);
        Assert.Equal((10L, 1, "the upload broke off after line 10"), (import.Stored, import.ChunksStored, import.FailureReason));
    }

    [Fact]
    public async Task A_stall_report_for_a_completed_import_changes_nothing()
    {
        var id = NewId.NextGuid();
        await Publish(Received(id, chunks: 1, accepted: 5));
        await Publish(Chunk(id, 0, stored: 5));
        var finishedAt = (await ExpectState(id, ImportStates.Completed)).FinishedAt;
        await Publish(new ImportStalled(id, At));

        var import = await ExpectState(id, ImportStates.Completed);
        Assert.Null(import.FailureReason);
        Assert.NotNull(finishedAt);
        Assert.Equal(finishedAt, import.FinishedAt);
    }

    [Fact]
    public async Task A_cancel_no_chunk_acted_on_ends_Cancelled_on_the_watchdogs_report()
    {
        var id = NewId.NextGuid();
        await Publish(new ImportStarted(id, null, "ndjson", At));
        await ExpectState(id, ImportStates.Receiving);

        // What DELETE /api/imports/{id} writes to the row.
        _sagas.Sagas.Contains(id)!.CancelRequestedAt = At;
        await Publish(new ImportStalled(id, At));

        var import = await ExpectState(id, ImportStates.Cancelled);
        Assert.Null(import.FailureReason);
        Assert.NotNull(import.FinishedAt);
    }

    private static LogEventsStored Chunk(Guid id, int number, int stored, int duplicates = 0, int skipped = 0) =>
        new(NewId.NextGuid(), id, number, stored, duplicates, At, skipped);

    private static ImportReceived Received(Guid id, int chunks, long accepted, long rejected = 0, IReadOnlyList<ImportLineError>? errors = null) =>
        new(id, accepted + rejected, accepted, rejected, chunks, errors ?? [], false, At);

    private async Task Publish<T>(T message) where T : class
    {
        var messageId = NewId.NextGuid();
        await _harness.Bus.Publish(message, context => context.MessageId = messageId);
        Assert.True(await _harness.Consumed.Any<T>(m => m.Context.MessageId == messageId), $"the saga consumed {typeof(T).Name}");
    }

    private async Task<ImportState> ExpectState(Guid id, string state)
    {
        var machine = _provider.GetRequiredService<ImportStateMachine>();
        var found = await _sagas.Exists(id, machine.GetState(state), TimeSpan.FromSeconds(5));
        var instance = _sagas.Sagas.Contains(id);
        Assert.True(found.HasValue, $"import is {state} (it is {instance?.CurrentState ?? "absent"})");
        return instance!;
    }
}
