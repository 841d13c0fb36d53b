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
/// commit) is paid once per transaction here. A chunk of an import is written on its own within the transaction (its
/// progress counts its rows), and its progress message goes into the consumer outbox with its inbox row consumed but not
/// delivered; it is sent once the transaction commits (<see cref="MergedImportChunk"/>).
/// </summary>
/// <remarks>
/// Anything unusual goes back to the per-record path, which knows how to deal with it: a row PostgreSQL refuses (the
/// transaction is rolled back, and each record is stored or dead-lettered on its own), a second copy of a message in the
/// same transaction, and alone an inbox row consumed with messages still to send, or a committed progress message not
/// sent. A deadlock with another merged transaction is tried once more; an outage fails them all, for the endpoint's
/// retry and circuit breaker.
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
            catch (Exception e) when (attempt == 1 && MetAnotherTransaction(e) is { } sqlState)
            {
                // Two merged transactions met on the same events (a client sent them again in other chunks) in a different
                // order. Once more, before every record of the batch counts as a failure for the retry and circuit breaker.
                logger.LogInformation("A merged store of {Records} records met another transaction ({SqlState}); trying it once more",
                    firsts.Count, sqlState);
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

    /// <summary>A deadlock or serialization failure, thrown as itself or wrapped by EF (saving the outbox rows).</summary>
    private static string? MetAnotherTransaction(Exception e) =>
        (e as PostgresException ?? e.InnerException as PostgresException)?.SqlState is { } state
        && state is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
            ? state
            : null;

    private async Task StoreOnceAsync(List<MergeableRecord> firsts, Guid consumerId, long started)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted);
        var inbox = await UpsertInboxRowsAsync(connection, transaction, firsts, consumerId);
        var toStore = new List<MergeableRecord>(firsts.Count);
        var consumedBefore = new List<MergeableRecord>();
        var unconsumedRows = new List<MergeableRecord>();
        var handedBack = new List<MergeableRecord>();
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
                // Consumed, with messages still to deliver (a chunk of an import whose progress was not sent): only the
                // per-record inbox delivers them. Its copy there waits for this transaction's lock on the row.
                handedBack.Add(record);
            }
        }

        CompleteAll(handedBack, MergeOutcome.StoreAlone);

        StoredCounts counts;
        List<ChunkProgress> progress;
        try
        {
            (counts, progress) = await WriteRowsAndProgressAsync(connection, transaction, toStore, consumerId);
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
        Observe(toStore, consumedBefore, counts, progress, started);
        // What sends nothing is done: it need not wait for the progress of the import chunks beside it.
        foreach (var record in toStore.Where(r => r.Import is null))
        {
            record.Complete(MergeOutcome.Stored);
        }

        foreach (var record in consumedBefore)
        {
            record.Complete(MergeOutcome.ConsumedBefore);
        }

        var undelivered = await DeliverProgressAsync(connection, progress, consumerId);
        foreach (var (record, _, _) in progress)
        {
            record.Complete(undelivered.Contains(record) ? MergeOutcome.StoreAlone : MergeOutcome.Stored);
        }
    }

    /// <summary>
    /// Writes the rows, none of a chunk whose import was asked to cancel, and puts each chunk of an import's progress message
    /// into the consumer outbox, as <see cref="LogEventsAcceptedConsumer"/> does for a chunk stored alone.
    /// </summary>
    private async Task<(StoredCounts Counts, List<ChunkProgress> Progress)> WriteRowsAndProgressAsync(NpgsqlConnection connection,
        NpgsqlTransaction transaction, List<MergeableRecord> toStore, Guid consumerId)
    {
        var chunks = toStore.Where(r => r.Import is not null).ToList();
        if (chunks.Count == 0)
        {
            return (await LogEventBulkWriter.WriteAsync(connection, [.. toStore.SelectMany(r => r.Rows)], CancellationToken.None,
                copyDirect: copyDirect), []);
        }

        if (scopes is null)
        {
            throw new InvalidOperationException("A merged store without a service scope factory cannot write the consumer outbox of import chunks.");
        }

        var cancelled = await CancelledImportsAsync(connection, transaction, chunks.Select(r => r.Import!.ImportId).Distinct().ToArray());
        var written = toStore.Where(r => r.Import is null || !cancelled.Contains(r.Import.ImportId)).ToList();
        var (counts, chunkCounts) = await WriteCountingChunksAsync(connection, transaction, written);
        var progress = new List<ChunkProgress>(chunks.Count);
        foreach (var record in chunks)
        {
            var chunk = record.Import!;
            var skip = cancelled.Contains(chunk.ImportId);
            var chunkCount = chunkCounts.GetValueOrDefault(record);
            var message = await CaptureAsync(chunk, new LogEventsStored(chunk.ChunkId, chunk.ImportId, chunk.ChunkNumber, chunkCount.Stored,
                chunkCount.Duplicates, time.GetUtcNow(), skip ? chunk.Events : 0));
            // The inbox delivers a record's rows by these two: they come from what this transaction locked.
            message.InboxMessageId = record.MessageId;
            message.InboxConsumerId = consumerId;
            progress.Add(new ChunkProgress(record, message, skip));
        }

        // The outbox rows go in through the model that maps them (its HiLo keys, its columns), on this transaction.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
        db.Database.SetDbConnection(connection);
        await db.Database.UseTransactionAsync(transaction);
        // The whole transaction fails or commits together; EF's savepoint around SaveChanges would only cost round trips.
        db.Database.AutoSavepointsEnabled = false;
        db.Set<OutboxMessage>().AddRange(progress.Select(p => p.Message));
        await db.SaveChangesAsync();
        foreach (var _ in progress)
        {
            inboxMetrics?.Captured(InboxContext);
        }

        return (counts, progress);
    }

    /// <summary>
    /// Writes every record's rows at once; a chunk of an import must report how many of its rows were new, which one write
    /// says only when none was there before. Otherwise (a client sent events again) the write is undone and each chunk of
    /// an import written on its own.
    /// </summary>
    private async Task<(StoredCounts Counts, Dictionary<MergeableRecord, StoredCounts> Chunks)> WriteCountingChunksAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<MergeableRecord> records)
    {
        const string savepoint = "merged_rows";
        var chunks = new Dictionary<MergeableRecord, StoredCounts>();
        await transaction.SaveAsync(savepoint);
        var all = await LogEventBulkWriter.WriteAsync(connection, [.. records.SelectMany(r => r.Rows)], CancellationToken.None,
            copyDirect: copyDirect, savepoint: savepoint);
        if (all.Duplicates == 0)
        {
            foreach (var record in records.Where(r => r.Import is not null))
            {
                chunks[record] = new StoredCounts(record.Rows.Count, 0);
            }

            return (all, chunks);
        }

        await transaction.RollbackAsync(savepoint);
        var counts = await LogEventBulkWriter.WriteAsync(connection, [.. records.Where(r => r.Import is null).SelectMany(r => r.Rows)],
            CancellationToken.None, emptyStaging: true, copyDirect: copyDirect);
        foreach (var record in records.Where(r => r.Import is not null))
        {
            var chunk = await LogEventBulkWriter.WriteAsync(connection, [.. record.Rows], CancellationToken.None, emptyStaging: true,
                copyDirect: copyDirect);
            chunks[record] = chunk;
            counts = new StoredCounts(counts.Stored + chunk.Stored, counts.Duplicates + chunk.Duplicates);
        }

        return (counts, chunks);
    }

    /// <summary>
    /// The progress's outbox row. Building it does no I/O of PostgreSQL's, so whatever fails here is no outage of it: the
    /// records go the per-record way, where the same send meets the same fault with its own handling.
    /// </summary>
    private async Task<OutboxMessage> CaptureAsync(MergedImportChunk chunk, LogEventsStored progress)
    {
        try
        {
            return await chunk.Capture(progress);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The progress of import chunk {ChunkId} could not be put into the outbox", chunk.ChunkId);
            throw new InvalidOperationException($"The progress of import chunk {chunk.ChunkId} could not be put into the outbox: {e.Message}");
        }
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
    private async Task<HashSet<MergeableRecord>> DeliverProgressAsync(NpgsqlConnection connection, List<ChunkProgress> progress,
        Guid consumerId)
    {
        var undelivered = new HashSet<MergeableRecord>();
        if (progress.Count == 0)
        {
            return undelivered;
        }

        var outcomes = await Task.WhenAll(progress.Select(async p =>
        {
            try
            {
                await p.Record.Import!.Deliver(p.Message);
                return true;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "The progress of import chunk {ChunkId} is committed but not sent; the inbox sends it",
                    p.Record.Import!.ChunkId);
                inboxMetrics?.DeliveryFailed(InboxContext);
                return false;
            }
        }));
        var sent = new List<MergeableRecord>(progress.Count);
        for (var i = 0; i < progress.Count; i++)
        {
            if (outcomes[i])
            {
                sent.Add(progress[i].Record);
            }
            else
            {
                undelivered.Add(progress[i].Record);
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
            inboxMetrics?.Delivered(InboxContext, sent.Count);
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

    private void Observe(List<MergeableRecord> stored, List<MergeableRecord> consumedBefore, StoredCounts counts, List<ChunkProgress> progress,
        long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var now = time.GetUtcNow();
        WorkerMetrics.StoreTransactionRecords.Record(stored.Count + consumedBefore.Count);
        WorkerMetrics.StoreDuration.Record(elapsed);
        WorkerMetrics.EventsStored.Add(counts.Stored);
        WorkerMetrics.EventsDuplicate.Add(counts.Duplicates);
        // A skipped chunk of a cancelled import counts its events skipped and nothing consumed, as on the per-record path.
        var skipped = progress.Where(p => p.Skipped).Select(p => p.Record).ToHashSet();
        WorkerMetrics.EventsSkipped.Add(skipped.Sum(r => r.Rows.Count));
        foreach (var record in stored)
        {
            inboxMetrics?.Consumed(InboxContext);
            if (!skipped.Contains(record))
            {
                WorkerMetrics.ChunkConsumed(record.Rows.Count, record.Rows.Max(r => r.ReceivedAt), now);
            }
        }

        foreach (var _ in consumedBefore)
        {
            inboxMetrics?.DuplicateSkipped(InboxContext);
        }
    }

    /// <summary>A chunk of an import in a merged transaction, its progress's outbox row, and whether its import was cancelled.</summary>
    private sealed record ChunkProgress(MergeableRecord Record, OutboxMessage Message, bool Skipped);

    private readonly record struct InboxRow(int ReceiveCount, bool Consumed, bool Delivered);
}
