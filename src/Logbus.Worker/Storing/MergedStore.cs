using System.Data;
using System.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Storage;
using Logbus.Storage.Writing;
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
    TimeProvider time)
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
        var unconsumedRows = new List<Guid>();
        foreach (var record in firsts)
        {
            var row = inbox[record.MessageId];
            if (row.ReceiveCount == 1 || !row.Consumed)
            {
                toStore.Add(record);
                if (row.ReceiveCount > 1)
                {
                    unconsumedRows.Add(record.MessageId);
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
        try
        {
            counts = await LogEventBulkWriter.WriteAsync(connection, [.. toStore.SelectMany(r => r.Rows)], CancellationToken.None,
                copyDirect: copyDirect);
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
        foreach (var record in toStore)
        {
            record.Complete(MergeOutcome.Stored);
        }

        foreach (var record in consumedBefore)
        {
            record.Complete(MergeOutcome.ConsumedBefore);
        }
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
            SELECT m.id, @consumer_id, now(), 1, m.expires, now(), now()
            FROM unnest(@message_ids, @expiration_times) AS m(id, expires)
            ORDER BY m.id
            ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = i.receive_count + 1
            RETURNING message_id, receive_count, consumed IS NOT NULL, delivered IS NOT NULL
            """, connection, transaction);
        command.Parameters.AddWithValue("consumer_id", consumerId);
        command.Parameters.AddWithValue("message_ids", records.Select(r => r.MessageId).ToArray());
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

    private async Task MarkConsumedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Guid> messageIds, Guid consumerId)
    {
        await using var command = new NpgsqlCommand($"""
            UPDATE {inboxTable} SET consumed = now(), delivered = now()
            WHERE consumer_id = @consumer_id AND message_id = ANY(@message_ids)
            """, connection, transaction);
        command.Parameters.AddWithValue("consumer_id", consumerId);
        command.Parameters.AddWithValue("message_ids", messageIds.ToArray());
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
