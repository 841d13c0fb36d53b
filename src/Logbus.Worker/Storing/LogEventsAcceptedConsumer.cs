using System.Diagnostics;
using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.Storage;
using Logbus.Storage.Imports;
using Logbus.Storage.Writing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Worker.Storing;

/// <summary>
/// Stores a chunk of accepted events. Runs inside the inbox's transaction (configured on the endpoint): the rows, the
/// inbox row of the message and, for a chunk of an import, the progress message to the import saga commit together, so
/// a redelivered message stores nothing twice and a re-sent event counts as a duplicate.
/// </summary>
public sealed class LogEventsAcceptedConsumer(LogbusDbContext db, ImportStatusStore imports, TimeProvider time, IOptions<TopicOptions> topics)
    : IConsumer<LogEventsAccepted>
{
    private readonly Uri _progressTopic = TopicAddress.For(topics.Value.Imports);

    public async Task Consume(ConsumeContext<LogEventsAccepted> context)
    {
        var started = Stopwatch.GetTimestamp();
        var chunk = context.Message;
        var rows = chunk.Events.Select(e => new LogEvent
        {
            Id = e.Id,
            Timestamp = e.Timestamp,
            Level = e.Level,
            Message = e.Message,
            Source = e.Source,
            Metadata = e.Metadata?.GetRawText(),
            TraceId = e.TraceId,
            SpanId = e.SpanId,
            Exception = e.Exception,
            ImportId = chunk.ImportId,
            ReceivedAt = e.ReceivedAt,
        }).ToList();

        if (chunk is { ImportId: { } importId, ChunkNumber: { } chunkNumber })
        {
            // Same scope, same DbContext: the look runs inside the inbox transaction. A cancelled import's chunks are skipped.
            var cancelled = await imports.IsCancelRequestedAsync(importId, context.CancellationToken);
            var counts = cancelled ? new StoredCounts(0, 0) : await StoreAsync(rows, context.CancellationToken);
            await context.Send(_progressTopic,
                new LogEventsStored(
                    chunk.ChunkId, importId, chunkNumber, counts.Stored, counts.Duplicates, time.GetUtcNow(), cancelled ? rows.Count : 0),
                progress => progress.SetKafkaKey(importId.ToString()));
            if (cancelled)
            {
                WorkerMetrics.EventsSkipped.Add(rows.Count);
                return;
            }

            Observe(rows, counts, started);
            return;
        }

        Observe(rows, await StoreAsync(rows, context.CancellationToken), started);
    }

    private void Observe(List<LogEvent> rows, StoredCounts counts, long started)
    {
        WorkerMetrics.EventsConsumed.Add(rows.Count);
        WorkerMetrics.EventsStored.Add(counts.Stored);
        WorkerMetrics.EventsDuplicate.Add(counts.Duplicates);
        WorkerMetrics.ChunkSize.Record(rows.Count);
        WorkerMetrics.StoreDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        if (rows.Count > 0)
        {
            WorkerMetrics.IngestToStored.Record(Math.Max(0, (time.GetUtcNow() - rows.Max(r => r.ReceivedAt)).TotalSeconds));
        }
    }

    private async Task<StoredCounts> StoreAsync(IReadOnlyCollection<LogEvent> rows, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (db.Database.CurrentTransaction is not null)
        {
            return await LogEventBulkWriter.WriteAsync(connection, rows, cancellationToken);
        }

        // Without the inbox (not how the Worker runs), still never store half a chunk.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var counts = await LogEventBulkWriter.WriteAsync(connection, rows, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return counts;
    }
}
