using System.Diagnostics;
using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.Storage;
using Logbus.Storage.Imports;
using Logbus.Storage.Writing;
using Logbus.Worker.DeadLetters;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Worker.Storing;

/// <summary>
/// Stores a chunk of accepted events. Runs inside the inbox's transaction (configured on the endpoint): the rows, the
/// inbox row of the message and, for a chunk of an import, the progress message to the import saga commit together, so
/// a redelivered message stores nothing twice and a re-sent event counts as a duplicate.
/// </summary>
public sealed class LogEventsAcceptedConsumer(LogbusDbContext db, ImportStatusStore imports, TimeProvider time, IOptions<TopicOptions> topics,
    SingleEventDeadLetters deadLetters, IOptions<StoringOptions> storing)
    : IConsumer<LogEventsAccepted>
{
    private readonly Uri _progressTopic = TopicAddress.For(topics.Value.Imports);

    public async Task Consume(ConsumeContext<LogEventsAccepted> context)
    {
        if (storing.Value.ThrottlePerChunk > TimeSpan.Zero)
        {
            await Task.Delay(storing.Value.ThrottlePerChunk, context.CancellationToken);
        }

        var started = Stopwatch.GetTimestamp();
        var chunk = context.Message;
        // A chunk of one event is that event's own record: what cannot be stored of it fails it, and the endpoint
        // dead-letters it with the reason. A larger chunk stores what it can and hands the rest on one by one.
        var alone = chunk.Events.Count == 1;
        var rows = new List<(int Index, LogEvent Row)>(chunk.Events.Count);
        var refused = new List<Refusal>();
        for (var i = 0; i < chunk.Events.Count; i++)
        {
            var e = chunk.Events[i];
            if (StorableEvent.ProblemWith(e) is { } problem)
            {
                var notStorable = new NotStorableEventException(e.Id, problem.Field, problem.Reason);
                if (alone)
                {
                    throw notStorable;
                }

                refused.Add(new Refusal(i, problem.Field, typeof(NotStorableEventException).FullName!, notStorable.Message));
                continue;
            }

            rows.Add((i, StorableEvent.ToRow(e, chunk.ImportId)));
        }

        if (chunk is { ImportId: { } importId, ChunkNumber: { } chunkNumber })
        {
            // Same scope, same DbContext: the look runs inside the inbox transaction. A cancelled import's chunks are skipped.
            var cancelled = await imports.IsCancelRequestedAsync(importId, context.CancellationToken);
            var counts = cancelled ? new StoredCounts(0, 0) : await StoreAsync(rows, refused, alone, context.CancellationToken);
            // Events handed on alone are no longer this chunk's: they count as skipped in its progress.
            await context.Send(_progressTopic,
                new LogEventsStored(
                    chunk.ChunkId, importId, chunkNumber, counts.Stored, counts.Duplicates, time.GetUtcNow(),
                    cancelled ? chunk.Events.Count : refused.Count),
                progress => progress.SetKafkaKey(importId.ToString()));
            if (cancelled)
            {
                WorkerMetrics.EventsSkipped.Add(chunk.Events.Count);
                return;
            }

            await DeadLetterAsync(context, refused);
            Observe(chunk.Events.Count, rows, counts, started);
            return;
        }

        var stored = await StoreAsync(rows, refused, alone, context.CancellationToken);
        await DeadLetterAsync(context, refused);
        Observe(chunk.Events.Count, rows, stored, started);
    }

    /// <summary>Each refused event goes to the dead-letter topic alone, with its reason.</summary>
    private async Task DeadLetterAsync(ConsumeContext<LogEventsAccepted> context, List<Refusal> refused)
    {
        foreach (var refusal in refused.OrderBy(r => r.Index))
        {
            await deadLetters.ProduceAsync(context, refusal.Index, refusal.ExceptionType, refusal.Reason);
            WorkerMetrics.EventsIsolated.Add(1, refusal.Label);
        }
    }

    private void Observe(int consumed, List<(int Index, LogEvent Row)> rows, StoredCounts counts, long started)
    {
        WorkerMetrics.EventsStored.Add(counts.Stored);
        WorkerMetrics.EventsDuplicate.Add(counts.Duplicates);
        WorkerMetrics.StoreDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        WorkerMetrics.ChunkConsumed(consumed, rows.Count > 0 ? rows.Max(r => r.Row.ReceivedAt) : null, time.GetUtcNow());
    }

    /// <param name="refused">Receives the rows PostgreSQL refused for their data, with the SQLSTATE it gave (chunks of several only).</param>
    private async Task<StoredCounts> StoreAsync(List<(int Index, LogEvent Row)> rows, List<Refusal> refused, bool alone,
        CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (db.Database.CurrentTransaction is { } current)
        {
            return await WriteAsync(connection, (NpgsqlTransaction)current.GetDbTransaction(), rows, refused, alone, cancellationToken);
        }

        // Without the inbox (not how the Worker runs), still never store half a chunk.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var counts = await WriteAsync(connection, (NpgsqlTransaction)transaction.GetDbTransaction(), rows, refused, alone, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return counts;
    }

    private async Task<StoredCounts> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        List<(int Index, LogEvent Row)> rows, List<Refusal> refused, bool alone, CancellationToken cancellationToken)
    {
        if (alone)
        {
            return await LogEventBulkWriter.WriteAsync(connection, [.. rows.Select(r => r.Row)], cancellationToken,
                copyDirect: storing.Value.CopyDirect);
        }

        var refusedByPostgres = new List<(int Index, PostgresException Refusal)>();
        var counts = await IsolatingWriter.WriteAsync(connection, transaction, rows, refusedByPostgres, storing.Value.CopyDirect, cancellationToken);
        refused.AddRange(refusedByPostgres.Select(r => new Refusal(r.Index, $"sqlstate_{r.Refusal.SqlState}", typeof(PostgresException).FullName!,
            $"Event '{rows.First(row => row.Index == r.Index).Row.Id}' cannot be stored: PostgreSQL refused it " +
            $"({r.Refusal.SqlState}: {r.Refusal.MessageText}).")));
        return counts;
    }

    /// <param name="Label">The metric's reason: the field that is not storable, or sqlstate_&lt;code&gt;.</param>
    private sealed record Refusal(int Index, string Label, string ExceptionType, string Reason);
}
