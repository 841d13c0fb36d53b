using Microsoft.Extensions.Logging;
using Npgsql;

namespace Logbus.Storage.Partitions;

/// <summary>
/// Creates and drops the daily partitions of <c>log_events</c>. Events whose day has no partition land in
/// <c>log_events_default</c>, so no timestamp is ever refused; when their day's partition is created later, they
/// are moved into it.
/// </summary>
/// <remarks>Every operation holds a transaction-level advisory lock, so several instances can run it at once.</remarks>
public sealed class LogEventPartitions(NpgsqlDataSource dataSource, ILogger<LogEventPartitions> logger)
{
    // Any stable number works; it only has to be the same in every process that maintains partitions.
    private const long AdvisoryLockKey = 0x4C6F67627573_01;

    private const string AsLogEventsOwner = """
        DO $$
        DECLARE owner name := (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'log_events');
        BEGIN
            IF owner <> current_user THEN
                EXECUTE format('SET LOCAL ROLE %I', owner);
            END IF;
        END
        $$
        """;

    /// <summary>The daily partitions that exist, oldest first (the default partition is not listed).</summary>
    public async Task<IReadOnlyList<LogEventPartition>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'public.log_events'::regclass
            """);
        var partitions = new List<LogEventPartition>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (LogEventPartition.TryParse(reader.GetString(0), out var partition))
            {
                partitions.Add(partition);
            }
        }

        return [.. partitions.OrderBy(p => p.Day)];
    }

    /// <summary>Makes sure a partition exists for every day from <paramref name="first"/> to <paramref name="last"/>.</summary>
    /// <returns>The partitions this call created.</returns>
    public async Task<IReadOnlyList<LogEventPartition>> EnsureAsync(DateOnly first, DateOnly last, CancellationToken cancellationToken = default)
    {
        var existing = (await ListAsync(cancellationToken)).Select(p => p.Day).ToHashSet();
        var created = new List<LogEventPartition>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (!existing.Contains(day) && await CreateAsync(LogEventPartition.For(day), cancellationToken))
            {
                created.Add(LogEventPartition.For(day));
            }
        }

        return created;
    }

    /// <summary>
    /// Drops every partition of a day before <paramref name="cutoff"/> and deletes older events from the default
    /// partition.
    /// </summary>
    /// <returns>The partitions dropped.</returns>
    public async Task<IReadOnlyList<LogEventPartition>> DropBeforeAsync(DateOnly cutoff, CancellationToken cancellationToken = default)
    {
        var dropped = new List<LogEventPartition>();
        foreach (var partition in (await ListAsync(cancellationToken)).Where(p => p.Day < cutoff))
        {
            await InLockedTransactionAsync(async (connection, transaction) =>
            {
                await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {partition.Table}", connection, transaction);
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
            dropped.Add(partition);
            logger.LogInformation("Dropped partition {Partition}: its events are past retention", partition.Table);
        }

        await InLockedTransactionAsync(async (connection, transaction) =>
        {
            await using var purge = new NpgsqlCommand($"DELETE FROM {LogEventPartition.DefaultTable} WHERE \"timestamp\" < @cutoff", connection,
                transaction);
            purge.Parameters.AddWithValue("cutoff", LogEventPartition.For(cutoff).From);
            var deleted = await purge.ExecuteNonQueryAsync(cancellationToken);
            if (deleted > 0)
            {
                logger.LogInformation("Deleted {Count} events past retention from {Partition}", deleted, LogEventPartition.DefaultTable);
            }
        }, cancellationToken);
        return dropped;
    }

    private async Task<bool> CreateAsync(LogEventPartition partition, CancellationToken cancellationToken)
    {
        var created = false;
        try
        {
            await InLockedTransactionAsync(async (connection, transaction) =>
            {
                if (await ExistsAsync(partition, connection, transaction, cancellationToken))
                {
                    return;
                }

                await using var create = new NpgsqlCommand(
                    $"CREATE TABLE {partition.Table} PARTITION OF log_events FOR VALUES FROM ('{partition.From:O}') TO ('{partition.To:O}')",
                    connection, transaction);
                await create.ExecuteNonQueryAsync(cancellationToken);
                created = true;
            }, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
        {
            // The default partition already holds events of that day: move them into the new partition.
            created = await CreateByMovingFromDefaultAsync(partition, cancellationToken);
        }

        if (created)
        {
            logger.LogInformation("Created partition {Partition} for {Day}", partition.Table, partition.Day);
        }

        return created;
    }

    private async Task<bool> CreateByMovingFromDefaultAsync(LogEventPartition partition, CancellationToken cancellationToken)
    {
        var created = false;
        var moved = 0;
        await InLockedTransactionAsync(async (connection, transaction) =>
        {
            if (await ExistsAsync(partition, connection, transaction, cancellationToken))
            {
                return;
            }

            // Writers to that day wait while its events move, so none can slip into the default partition between
            // the move and the attach.
            await Execute($"LOCK TABLE {LogEventPartition.DefaultTable} IN ACCESS EXCLUSIVE MODE");
            await Execute($"CREATE TABLE {partition.Table} (LIKE log_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
            await using (var move = new NpgsqlCommand($"""
                WITH moved AS (
                    DELETE FROM {LogEventPartition.DefaultTable} WHERE "timestamp" >= @from AND "timestamp" < @to RETURNING *)
                INSERT INTO {partition.Table} SELECT * FROM moved
                """, connection, transaction))
            {
                move.Parameters.AddWithValue("from", partition.From);
                move.Parameters.AddWithValue("to", partition.To);
                moved = await move.ExecuteNonQueryAsync(cancellationToken);
            }

            await Execute(
                $"ALTER TABLE log_events ATTACH PARTITION {partition.Table} FOR VALUES FROM ('{partition.From:O}') TO ('{partition.To:O}')");
            created = true;

            async Task Execute(string sql)
            {
                await using var command = new NpgsqlCommand(sql, connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);
        if (created)
        {
            logger.LogInformation("Moved {Count} events of {Day} from {Default} into the new partition {Partition}",
                moved, partition.Day, LogEventPartition.DefaultTable, partition.Table);
        }

        return created;
    }

    private static async Task<bool> ExistsAsync(LogEventPartition partition, NpgsqlConnection connection, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection, transaction);
        command.Parameters.AddWithValue("table", "public." + partition.Table);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task InLockedTransactionAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        // Partitions belong to log_events' owner (logbus_writer, see the DatabaseRoles migration), whoever creates them: the
        // Worker, or the migrator creating the first days. Only an owner may drop or attach them later.
        await using (var asOwner = new NpgsqlCommand(AsLogEventsOwner, connection, transaction))
        {
            await asOwner.ExecuteNonQueryAsync(cancellationToken);
        }

        await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
    }
}
