using System.Data;
using System.Diagnostics;
using Logbus.Contracts;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Model;
using Logbus.Storage;
using Logbus.Storage.Writing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Logbus.Worker.Storing;

/// <summary>
/// Stores several records of <c>log-events</c> in one transaction: one statement upserts every record's inbox row (the
/// same rows, under the same consumer id, that the per-record inbox writes), the rows of the records not consumed before
/// are written together (one COPY), and one commit makes them all stored and their inbox rows consumed and delivered.
/// What the per-record path pays per record (a DI scope, a DbContext, two inbox statements, a COPY and a
/// commit) is paid once per transaction here.
/// </summary>
/// <remarks>
/// Anything unusual hands every record of the transaction back to the per-record path, which knows how to deal with it:
/// a row PostgreSQL refuses (the transaction is rolled back, and each record is stored or dead-lettered on its own), an
/// inbox row consumed but not yet delivered, a second copy of a message in the same transaction. A deadlock with another
/// merged transaction is tried once more; an outage fails them all, for the endpoint's retry and circuit breaker.
/// </remarks>
public sealed class MergedStore(NpgsqlDataSource dataSource, string inboxTable, bool copyDirect, MessagingMetrics? inboxMetrics, ILogger logger,
    TimeProvider time, IServiceScopeFactory? scopes = null, string outboxTable = "messaging.outbox_message")
{
    /// <summary>The inbox metrics' name for the database, as the per-record inbox reports it.</summary>
    private const string InboxContext = nameof(LogbusDbContext);

    /// <summary>Stores <paramref name="records"/> and sets each one's outcome; never throws.</summary>
    public async Task StoreAsync(IReadOnlyList<MergeableRecord> records, Guid consumerId)
    {
        var started = Stopwatch.GetTimestamp();
        // Two copies of one message would meet their own inbox row; the per-record path waits for the first one's commit.
        var firsts = records.GroupBy(r => r.MessageId).Select(g => g.First()).OrderBy(r => r.MessageId).ToList();
        foreach (var later in records.Except(firsts))
        {
            later.Complete(MergeOutcome.StoreAlone);
        }

        using var activity = StoreTracing.StartMergedStore(firsts, firsts.Sum(r => r.Rows.Count));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StoreOnceAsync(firsts, consumerId, started);
                return;
            }
            catch (PostgresException e) when (attempt == 1
                                              && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Two merged transactions met on the same events (a client sent them again in other chunks) in a different
                // order. Once more, before every record of the batch counts as a failure for the retry and circuit breaker.
                logger.LogInformation("A merged store of {Records} records met another transaction ({SqlState}); trying it once more",
                    firsts.Count, e.SqlState);
            }
            catch (Exception e) when (Storage.Resilience.PostgresOutage.IsOutage(e))
            {
                foreach (var record in firsts)
                {
                    record.Fail(e);
                }

                return;
            }
            catch (Exception e)
            {
                // Each record on its own meets it again where it is dead-lettered with its reason.
                logger.LogWarning(e, "A merged store of {Records} records failed; each is stored on its own", firsts.Count);
                CompleteAll(firsts, MergeOutcome.StoreAlone);
                return;
            }
        }
    }

    private async Task StoreOnceAsync(List<MergeableRecord> firsts, Guid consumerId, long started)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted);
        var inbox = await UpsertInboxRowsAsync(connection, transaction, firsts, consumerId);
        var toStore = new List<MergeableRecord>(firsts.Count);
        var consumedBefore = new List<MergeableRecord>();
        var unconsumedRows = new List<MergeableRecord>();
        foreach (var record in firsts)
        {
            var row = inbox[record.MessageId];
            if (row.ReceiveCount == 1 || !row.Consumed)
            {
                toStore.Add(record);
                if (row.ReceiveCount > 1)
                {
                    unconsumedRows.Add(record);
                }
            }
            else if (row.Delivered)
            {
                consumedBefore.Add(record);
            }
            else
            {
                // Consumed, with messages still to deliver: only the per-record inbox delivers them.
                await transaction.RollbackAsync();
                CompleteAll(firsts, MergeOutcome.StoreAlone);
                return;
            }
        }

        StoredCounts counts;
        List<(MergeableRecord Record, OutboxMessage Progress)> progress;
        try
        {
            counts = await LogEventBulkWriter.WriteAsync(connection, [.. toStore.Where(r => r.Import is null).SelectMany(r => r.Rows)],
                CancellationToken.None, copyDirect: copyDirect);
            (progress, var importCounts) = await StoreImportChunksAsync(connection, transaction, toStore, wroteBefore: counts.Total > 0);
            counts = new StoredCounts(counts.Stored + importCounts.Stored, counts.Duplicates + importCounts.Duplicates);
        }
        catch (PostgresException e) when (IsolatingWriter.IsDataRefusal(e))
        {
            // A row PostgreSQL refuses: finding it is the per-record path's work, which stores the rest of its chunk and
            // dead-letters it alone; every other record of the batch is stored on its own meanwhile.
            await transaction.RollbackAsync();
            CompleteAll(firsts, MergeOutcome.StoreAlone);
            return;
        }

        if (unconsumedRows.Count > 0)
        {
            await MarkConsumedAsync(connection, transaction, unconsumedRows, consumerId);
        }

        await transaction.CommitAsync();
        Observe(toStore, consumedBefore, counts, started);
        var undelivered = await DeliverProgressAsync(connection, progress, consumerId);
        foreach (var record in toStore)
        {
            record.Complete(undelivered.Contains(record) ? MergeOutcome.StoreAlone : MergeOutcome.Stored);
        }

        foreach (var record in consumedBefore)
        {
            record.Complete(MergeOutcome.ConsumedBefore);
        }
    }

    /// <summary>
    /// Writes each chunk of an import on its own (its progress counts its rows), or none of a chunk whose import was asked to
    /// cancel, and puts each chunk's progress message into the consumer outbox, as <see cref="LogEventsAcceptedConsumer"/>
    /// does for a chunk stored alone.
    /// </summary>
    private async Task<(List<(MergeableRecord Record, OutboxMessage Progress)> Progress, StoredCounts Counts)> StoreImportChunksAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<MergeableRecord> toStore, bool wroteBefore)
    {
        var chunks = toStore.Where(r => r.Import is not null).ToList();
        var progress = new List<(MergeableRecord, OutboxMessage)>(chunks.Count);
        if (chunks.Count == 0)
        {
            return (progress, default);
        }

        var cancelled = await CancelledImportsAsync(connection, transaction, chunks.Select(r => r.Import!.ImportId).Distinct().ToArray());
        var stored = 0;
        var duplicates = 0;
        foreach (var record in chunks)
        {
            var chunk = record.Import!;
            var skip = cancelled.Contains(chunk.ImportId);
            var counts = skip
                ? default
                : await LogEventBulkWriter.WriteAsync(connection, record.Rows as IReadOnlyCollection<LogEvent> ?? [.. record.Rows],
                    CancellationToken.None, emptyStaging: wroteBefore, copyDirect: copyDirect);
            wroteBefore |= counts.Total > 0;
            stored += counts.Stored;
            duplicates += counts.Duplicates;
            if (skip)
            {
                WorkerMetrics.EventsSkipped.Add(chunk.Events);
            }

            progress.Add((record, await chunk.Capture(new LogEventsStored(chunk.ChunkId, chunk.ImportId, chunk.ChunkNumber, counts.Stored,
                counts.Duplicates, time.GetUtcNow(), skip ? chunk.Events : 0))));
        }

        // The outbox rows go in through the model that maps them (its HiLo keys, its columns), on this transaction.
        await using var scope = scopes!.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
        db.Database.SetDbConnection(connection);
        await db.Database.UseTransactionAsync(transaction);
        db.Set<OutboxMessage>().AddRange(progress.Select(p => p.Item2));
        await db.SaveChangesAsync();
        return (progress, new StoredCounts(stored, duplicates));
    }

    private static async Task<HashSet<Guid>> CancelledImportsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] importIds)
    {
        await using var command = new NpgsqlCommand(
            "SELECT correlation_id FROM import_state WHERE correlation_id = ANY(@ids) AND cancel_requested_at IS NOT NULL", connection, transaction);
        command.Parameters.AddWithValue("ids", importIds);
        var cancelled = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            cancelled.Add(reader.GetGuid(0));
        }

        return cancelled;
    }

    /// <summary>
    /// Sends each committed progress message, then deletes the sent ones and marks their inbox rows delivered, as the inbox's
    /// delivery pass does. Returns the records whose progress is still to deliver: they go the per-record way, where the
    /// inbox finds them consumed and not delivered and sends what the outbox holds (a message sent twice has one message id,
    /// which the saga's inbox absorbs). Never throws: the rows are committed whatever happens here.
    /// </summary>
    private async Task<HashSet<MergeableRecord>> DeliverProgressAsync(NpgsqlConnection connection,
        List<(MergeableRecord Record, OutboxMessage Progress)> progress, Guid consumerId)
    {
        var undelivered = new HashSet<MergeableRecord>();
        var sent = new List<MergeableRecord>(progress.Count);
        foreach (var (record, message) in progress)
        {
            try
            {
                await record.Import!.Deliver(message);
                sent.Add(record);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "The progress of import chunk {ChunkId} is committed but not sent; the inbox sends it",
                    record.Import!.ChunkId);
                undelivered.Add(record);
            }
        }

        if (sent.Count == 0)
        {
            return undelivered;
        }

        try
        {
            await using var command = new NpgsqlCommand($"""
                DELETE FROM {outboxTable} WHERE inbox_consumer_id = @consumer_id AND inbox_message_id = ANY(@message_ids);
                UPDATE {inboxTable} SET delivered = now() WHERE consumer_id = @consumer_id AND message_id = ANY(@message_ids)
                """, connection);
            command.Parameters.AddWithValue("consumer_id", consumerId);
            command.Parameters.AddWithValue("message_ids", sent.Select(r => r.MessageId).ToArray());
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "{Records} import chunks sent their progress but could not be marked delivered; the inbox does it", sent.Count);
            undelivered.UnionWith(sent);
        }

        return undelivered;
    }

    private static void CompleteAll(List<MergeableRecord> records, MergeOutcome outcome)
    {
        foreach (var record in records)
        {
            record.Complete(outcome);
        }
    }

    /// <summary>
    /// Inserts each record's inbox row as consumed and delivered (the transaction commits it so or not at all) or, when it
    /// exists, bumps its receive count and returns what it says; either way the row stays locked until the end of the
    /// transaction, so a copy of the message on the per-record path waits for this one's outcome. Rows are locked in
    /// message id order, as every merged transaction locks them.
    /// </summary>
    private async Task<Dictionary<Guid, InboxRow>> UpsertInboxRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        List<MergeableRecord> records, Guid consumerId)
    {
        await using var command = new NpgsqlCommand($"""
            INSERT INTO {inboxTable} AS i (message_id, consumer_id, received, receive_count, expiration_time, consumed, delivered)
            SELECT m.id, @consumer_id, now(), 1, m.expires, now(), CASE WHEN m.delivers THEN NULL ELSE now() END
            FROM unnest(@message_ids, @expiration_times, @delivers) AS m(id, expires, delivers)
            ORDER BY m.id
            ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = i.receive_count + 1
            RETURNING message_id, receive_count, consumed IS NOT NULL, delivered IS NOT NULL
            """, connection, transaction);
        command.Parameters.AddWithValue("consumer_id", consumerId);
        command.Parameters.AddWithValue("message_ids", records.Select(r => r.MessageId).ToArray());
        command.Parameters.AddWithValue("delivers", records.Select(r => r.Import is not null).ToArray());
        command.Parameters.Add(new NpgsqlParameter<DateTime?[]>("expiration_times", [.. records.Select(r => r.ExpirationTime?.ToUniversalTime())])
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
        var rows = new Dictionary<Guid, InboxRow>(records.Count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetGuid(0)] = new InboxRow(reader.GetInt32(1), reader.GetBoolean(2), reader.GetBoolean(3));
        }

        return rows;
    }

    private async Task MarkConsumedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<MergeableRecord> records, Guid consumerId)
    {
        await using var command = new NpgsqlCommand($"""
            UPDATE {inboxTable} i SET consumed = now(), delivered = CASE WHEN m.delivers THEN NULL ELSE now() END
            FROM unnest(@message_ids, @delivers) AS m(id, delivers)
            WHERE i.consumer_id = @consumer_id AND i.message_id = m.id
            """, connection, transaction);
        command.Parameters.AddWithValue("consumer_id", consumerId);
        command.Parameters.AddWithValue("message_ids", records.Select(r => r.MessageId).ToArray());
        command.Parameters.AddWithValue("delivers", records.Select(r => r.Import is not null).ToArray());
        await command.ExecuteNonQueryAsync();
    }

    private void Observe(List<MergeableRecord> stored, List<MergeableRecord> consumedBefore, StoredCounts counts, long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var now = time.GetUtcNow();
        WorkerMetrics.StoreTransactionRecords.Record(stored.Count + consumedBefore.Count);
        WorkerMetrics.StoreDuration.Record(elapsed);
        WorkerMetrics.EventsStored.Add(counts.Stored);
        WorkerMetrics.EventsDuplicate.Add(counts.Duplicates);
        foreach (var record in stored)
        {
            inboxMetrics?.Consumed(InboxContext);
            WorkerMetrics.ChunkConsumed(record.Rows.Count, record.Rows.Max(r => r.ReceivedAt), now);
        }

        foreach (var _ in consumedBefore)
        {
            inboxMetrics?.DuplicateSkipped(InboxContext);
        }
    }

    private readonly record struct InboxRow(int ReceiveCount, bool Consumed, bool Delivered);
}
