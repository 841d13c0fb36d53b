using System.Diagnostics;
using Logbus.Bench.Data;
using Npgsql;

namespace Logbus.Bench.Query;

/// <summary>
/// The query benchmark's dataset: generated events over seven days in a database of its own on the stack's
/// PostgreSQL. Loading ten million takes minutes, so a dataset with the same shape, made within the last day, is reused.
/// </summary>
internal static class QueryBenchDataset
{
    private const string DatabaseName = "logbus_bench_query";
    private const int Version = 2;
    public static readonly TimeSpan Span = TimeSpan.FromDays(7);

    public sealed record Dataset(string ConnectionString, DateTimeOffset End, long Rows, string TraceId, IReadOnlyList<string> Ids);

    public static async Task<Dataset> EnsureAsync(BenchContext context, int rows, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(context.PostgresConnectionString) { Database = DatabaseName }.ConnectionString;
        if (await TryReuseAsync(target, rows, cancellationToken) is { } existing)
        {
            context.Progress($"reusing {existing.Rows:N0} events in {DatabaseName} (generated {DateTimeOffset.UtcNow - existing.End:hh\\:mm} ago)");
            // Migrations added since it was generated: the Query reports not ready on a schema that lacks one.
            await BenchSchema.MigrateAsync(target, DateOnly.FromDateTime((existing.End - Span).UtcDateTime),
                DateOnly.FromDateTime(existing.End.UtcDateTime), cancellationToken);
            return existing;
        }

        var admin = new NpgsqlConnectionStringBuilder(context.PostgresConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)", cancellationToken);
        await ExecuteAsync(admin, $"CREATE DATABASE {DatabaseName}", cancellationToken);
        var end = DateTimeOffset.UtcNow.AddMinutes(-5);
        await BenchSchema.MigrateAsync(target, DateOnly.FromDateTime((end - Span).UtcDateTime), DateOnly.FromDateTime(end.UtcDateTime),
            cancellationToken);

        await using var dataSource = NpgsqlDataSource.Create(target);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Loading without indexes and building them afterwards is several times faster than maintaining them row by row.
        var indexes = await ListAsync(connection,
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'log_events' AND schemaname = 'public' AND indexname <> 'pk_log_events'",
            cancellationToken);
        foreach (var name in await ListAsync(connection,
            "SELECT indexname FROM pg_indexes WHERE tablename = 'log_events' AND schemaname = 'public' AND indexname <> 'pk_log_events'",
            cancellationToken))
        {
            await Execute(connection, $"DROP INDEX {name}", cancellationToken);
        }

        await Execute(connection, "ALTER TABLE log_events DROP CONSTRAINT pk_log_events", cancellationToken);
        var clock = Stopwatch.StartNew();
        await EventCopy.WriteAsync(connection, EventGenerator.Generate(rows, end, Span), written =>
            context.Progress($"loaded {written:N0} of {rows:N0} events ({written / clock.Elapsed.TotalSeconds:N0}/s)"), cancellationToken);
        context.Progress($"loaded {rows:N0} events in {clock.Elapsed.TotalSeconds:0} s; building indexes");
        await Execute(connection, "SET maintenance_work_mem = '1GB'", cancellationToken);
        await Execute(connection, "ALTER TABLE log_events ADD CONSTRAINT pk_log_events PRIMARY KEY (id, \"timestamp\")", cancellationToken);
        foreach (var index in indexes)
        {
            // pg_indexes shows a partitioned index as "ON ONLY log_events", which would build it on the parent alone.
            await Execute(connection, index.Replace(" ON ONLY ", " ON ", StringComparison.Ordinal), cancellationToken);
        }

        await Execute(connection, "ANALYZE log_events", cancellationToken);
        await Execute(connection, "CREATE TABLE bench_meta (rows bigint, version int, dataset_end timestamptz); INSERT INTO bench_meta VALUES " +
            $"({rows}, {Version}, '{end:O}')", cancellationToken);
        context.Progress($"dataset ready after {clock.Elapsed.TotalSeconds:0} s");
        return await TryReuseAsync(target, rows, cancellationToken) ?? throw new InvalidOperationException("The dataset just built is not readable.");
    }

    private static async Task<Dataset?> TryReuseAsync(string connectionString, int rows, CancellationToken cancellationToken)
    {
        try
        {
            // Unpooled: the database may be dropped and made again right after this look.
            await using var connection = new NpgsqlConnection(
                new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var meta = new NpgsqlCommand("SELECT rows, version, dataset_end FROM bench_meta", connection);
            await using var reader = await meta.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken) || reader.GetInt64(0) != rows || reader.GetInt32(1) != Version)
            {
                return null;
            }

            var end = reader.GetFieldValue<DateTimeOffset>(2);
            await reader.CloseAsync();
            if (end < DateTimeOffset.UtcNow.AddDays(-1))
            {
                return null;
            }

            var traceId = (string)(await new NpgsqlCommand(
                "SELECT trace_id FROM log_events WHERE trace_id IS NOT NULL AND \"timestamp\" > @t LIMIT 1", connection)
                { Parameters = { new("t", end.AddHours(-12)) } }.ExecuteScalarAsync(cancellationToken))!;
            var ids = await ListAsync(connection, "SELECT id FROM log_events TABLESAMPLE SYSTEM (1) LIMIT 200", cancellationToken);
            return new Dataset(connectionString, end, rows, traceId, ids);
        }
        catch (PostgresException e) when (e.SqlState is "3D000" or "42P01")
        {
            // No such database or no bench_meta: not made yet.
            return null;
        }
    }

    private static async Task<List<string>> ListAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await Execute(connection, sql, cancellationToken);
    }
}
