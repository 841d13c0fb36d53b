using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Logbus.Bench.Data;
using Logbus.Bench.Load;
using Logbus.Storage;
using Npgsql;

namespace Logbus.Bench.Indexes;

/// <summary>
/// What each index of <c>log_events</c> costs a stored row. The same generated events are stored the Worker's way (COPY
/// straight into <c>log_events</c>, one transaction per chunk, a few sessions at once, with the Worker's session settings)
/// into the migrated table with its indexes as they are, with only its primary key (the baseline), with each other index
/// left out in turn, with the GIN indexes' pending list off (<c>fastupdate = off</c>) or at other limits than the
/// sessions' (an index's <c>gin_pending_list_limit</c>; 4,096 kB is PostgreSQL's default), and with <c>timestamp</c>
/// indexed by BRIN instead of a btree. The figure that counts is PostgreSQL's CPU per row (all its processes, WAL writer
/// and checkpointer included), with the merge of what is left in the GIN pending lists at the end (a larger limit would
/// otherwise only defer the work past the clock): wall time on a shared machine moves with whatever else runs. Variants
/// run in turn, then in reverse order, so a drift over the run cancels out.
/// </summary>
internal sealed class IndexesBenchmark : IBenchmark
{
    private const string PrimaryKey = "pk_log_events";
    private const string TimestampBrin = "CREATE INDEX ix_log_events_timestamp ON public.log_events USING brin (\"timestamp\")";
    private static readonly int[] PendingListLimits = [256, 4 * 1024, 16 * 1024];

    public string Name => "indexes";

    public string Description =>
        "PostgreSQL CPU per stored row with each index of log_events left out in turn, GIN fastupdate off or other pending list limits, " +
        "BRIN on timestamp, " +
        "beside the primary key alone (--events=100000 --chunk=250 --sessions=2 --rounds=3 --pending-lists=256,4096,16384)";

    public async Task<BenchmarkReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var events = Option(context, "events", 100_000);
        var chunkSize = Option(context, "chunk", 250);
        var sessions = Option(context, "sessions", 2);
        var rounds = Option(context, "rounds", 3);

        await using var deployment = await BenchDeployment.CreateAsync(context, "indexes", 1, cancellationToken);
        var end = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(end.UtcDateTime);
        await BenchSchema.MigrateAsync(deployment.ConnectionString, today.AddDays(-1), today, cancellationToken);
        // Sessions as the Worker's are (its pending list setting above all).
        await using var dataSource = StorageExtensions.BuildDataSource(deployment.ConnectionString,
            new StorageOptions { MaxPoolSize = sessions + 2, CommandTimeoutSeconds = 0 }, "bench-indexes");

        var migrated = await IndexesAsync(dataSource, cancellationToken);
        var pendingLists = context.Option("pending-lists") is { } given
            ? [.. given.Split(',').Select(k => int.Parse(k, CultureInfo.InvariantCulture))]
            : PendingListLimits;
        var variants = Variants(migrated, pendingLists);
        var chunks = EventGenerator.Generate(events, end, TimeSpan.FromHours(1), seed: 17).Chunk(chunkSize).ToList();
        context.Progress($"{variants.Count} variants × {rounds} rounds of {events:N0} events in chunks of {chunkSize} from {sessions} sessions; " +
            $"indexes as migrated: {string.Join(", ", migrated.Keys)}");

        // Untimed: the first run of a process pays for JIT compilation, and of a database for its first pages and plans.
        await ApplyAsync(dataSource, migrated.Keys, variants[0].Definitions, cancellationToken);
        await StoreAsync(dataSource, chunks, sessions, cancellationToken);

        var runs = variants.ToDictionary(v => v.Name, _ => new List<Run>(), StringComparer.Ordinal);
        for (var round = 1; round <= rounds; round++)
        {
            var order = round % 2 == 1 ? variants : [.. Enumerable.Reverse(variants)];
            foreach (var variant in order)
            {
                await ApplyAsync(dataSource, migrated.Keys, variant.Definitions, cancellationToken);
                var run = await StoreAsync(dataSource, chunks, sessions, cancellationToken);
                runs[variant.Name].Add(run);
                context.Progress($"round {round}, {variant.Name}: {run.RowsPerSecond:N0} rows/s, " +
                    $"PostgreSQL {run.PostgresMicrosecondsPerRow:0.0} µs CPU a row, " +
                    $"chunk commit p50/p99/max {run.P50:0.0}/{run.P99:0.0}/{run.Max:0.0} ms");
            }
        }

        return Report(runs, variants, events, chunkSize, sessions, rounds);
    }

    private BenchmarkReport Report(Dictionary<string, List<Run>> runs, List<Variant> variants, int events, int chunkSize, int sessions, int rounds)
    {
        var mean = runs.ToDictionary(r => r.Key, r => Run.Mean(r.Value), StringComparer.Ordinal);
        var all = mean[Variant.AsMigrated];
        var keyOnly = mean[Variant.PrimaryKeyOnly];
        var report = new BenchmarkReport(Name)
            .Add("rows stored, indexes as migrated", all.RowsPerSecond, "rows/s", keyOnly.RowsPerSecond, "primary key only")
            .Add("PostgreSQL CPU a row, indexes as migrated", all.PostgresMicrosecondsPerRow, "µs", keyOnly.PostgresMicrosecondsPerRow,
                "primary key only");

        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture,
                $"{events:N0} events in chunks of {chunkSize} (one transaction each, COPY into log_events) from {sessions} sessions; " +
                $"mean of {rounds} rounds. An index's cost is the CPU a row takes with every index less the CPU without it; " +
                $"the CPU includes merging what is left in the GIN pending lists after the last chunk.")
            .AppendLine()
            .AppendLine("| variant | rows/s | PostgreSQL CPU a row | cost against as migrated | chunk commit p50 / p99 / max |")
            .AppendLine("|---|---|---|---|---|");
        foreach (var variant in variants)
        {
            var run = mean[variant.Name];
            var cost = all.PostgresMicrosecondsPerRow - run.PostgresMicrosecondsPerRow;
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {variant.Name} | {run.RowsPerSecond:N0} | {run.PostgresMicrosecondsPerRow:0.0} µs | " +
                $"{(variant.Name == Variant.AsMigrated ? "" : $"{cost:+0.0;-0.0} µs")} | {run.P50:0.0} / {run.P99:0.0} / {run.Max:0.0} ms |");
            if (variant.Name.StartsWith(Variant.Without, StringComparison.Ordinal))
            {
                report.Add($"cost of {variant.Name[Variant.Without.Length..]} a row", cost, "µs CPU");
            }
        }

        report.Notes.Add(table.ToString());
        return report;
    }

    /// <summary>The secondary indexes of <c>log_events</c> as migrated, by name, each as a statement that builds it on every partition.</summary>
    private static async Task<Dictionary<string, string>> IndexesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT indexname, indexdef FROM pg_indexes " +
            "WHERE schemaname = 'public' AND tablename = 'log_events' AND indexname <> @pk ORDER BY indexname");
        command.Parameters.AddWithValue("pk", PrimaryKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var indexes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            // The parent's definition says ON ONLY (the partitions' indexes are attached one by one); without it the
            // statement builds the index on every partition at once.
            indexes[reader.GetString(0)] = reader.GetString(1).Replace(" ON ONLY ", " ON ", StringComparison.Ordinal);
        }

        return indexes;
    }

    private static List<Variant> Variants(Dictionary<string, string> migrated, IEnumerable<int> pendingListKilobytes)
    {
        var variants = new List<Variant>
        {
            new(Variant.AsMigrated, [.. migrated.Values]),
            new(Variant.PrimaryKeyOnly, []),
        };
        variants.AddRange(migrated.Keys.Select(name => new Variant(Variant.Without + name,
            [.. migrated.Where(i => i.Key != name).Select(i => i.Value)])));
        if (migrated.Values.Any(IsGin))
        {
            variants.Add(new Variant("GIN fastupdate off",
                [.. migrated.Values.Select(d => IsGin(d) && !d.Contains(" WITH (", StringComparison.Ordinal) ? d + " WITH (fastupdate = off)" : d)]));
        }

        // The pending list takes a GIN's new entries unsorted and is merged into the index in bulk when it outgrows its
        // limit (4 MB by default), by whichever insert crosses it: the limit trades CPU a row against that insert's wait.
        foreach (var kilobytes in pendingListKilobytes)
        {
            variants.Add(new Variant($"GIN pending list {kilobytes:N0} kB",
                [.. migrated.Values.Select(d => IsGin(d) && !d.Contains(" WITH (", StringComparison.Ordinal)
                    ? d + $" WITH (gin_pending_list_limit = {kilobytes})"
                    : d)]));
        }

        if (migrated.TryGetValue("ix_log_events_timestamp", out var timestamp) && timestamp.Contains("USING btree", StringComparison.Ordinal))
        {
            variants.Add(new Variant("timestamp by BRIN",
                [.. migrated.Values.Select(d => d == timestamp ? TimestampBrin : d)]));
        }

        return variants;
    }

    private static bool IsGin(string definition) => definition.Contains("USING gin", StringComparison.Ordinal);

    private static async Task ApplyAsync(NpgsqlDataSource dataSource, IEnumerable<string> migrated, IReadOnlyList<string> definitions,
        CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("TRUNCATE log_events;");
        foreach (var name in migrated)
        {
            sql.Append(CultureInfo.InvariantCulture, $"DROP INDEX IF EXISTS {name};");
        }

        foreach (var definition in definitions)
        {
            sql.Append(definition).Append(';');
        }

        await using (var apply = dataSource.CreateCommand(sql.ToString()))
        {
            await apply.ExecuteNonQueryAsync(cancellationToken);
        }

        // Each variant starts with no dirty pages of the one before, so a checkpoint's writes land in the run that caused them.
        await using var checkpoint = dataSource.CreateCommand("CHECKPOINT");
        await checkpoint.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<Run> StoreAsync(NpgsqlDataSource dataSource, List<GeneratedEvent[]> chunks, int sessions,
        CancellationToken cancellationToken)
    {
        var usage = new ProcessUsage(new Dictionary<string, int>());
        var queue = new ConcurrentQueue<GeneratedEvent[]>(chunks);
        var latencies = new ConcurrentBag<TimeSpan>();
        var connections = new List<NpgsqlConnection>();
        for (var i = 0; i < sessions; i++)
        {
            connections.Add(await dataSource.OpenConnectionAsync(cancellationToken));
        }

        try
        {
            var before = usage.CpuSeconds();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(connections.Select(async connection =>
            {
                while (queue.TryDequeue(out var chunk))
                {
                    var started = Stopwatch.GetTimestamp();
                    await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                    await EventCopy.WriteAsync(connection, chunk, cancellationToken: cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    latencies.Add(Stopwatch.GetElapsedTime(started));
                }
            }));
            var seconds = clock.Elapsed.TotalSeconds;
            await using (var merge = dataSource.CreateCommand(
                "SELECT coalesce(sum(gin_clean_pending_list(c.oid)), 0) FROM pg_class c JOIN pg_am a ON a.oid = c.relam " +
                "WHERE a.amname = 'gin' AND c.relkind = 'i'"))
            {
                await merge.ExecuteScalarAsync(cancellationToken);
            }

            var postgres = usage.CpuSeconds()["PostgreSQL"] - before["PostgreSQL"];
            var rows = chunks.Sum(c => c.Length);
            var commits = new Latencies();
            foreach (var latency in latencies)
            {
                commits.Add(latency);
            }

            return new Run(rows / seconds, postgres * 1e6 / rows, commits.Percentile(50), commits.Percentile(99), commits.Percentile(100));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static int Option(BenchContext context, string name, int fallback) =>
        int.TryParse(context.Option(name), CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private sealed record Variant(string Name, IReadOnlyList<string> Definitions)
    {
        public const string AsMigrated = "as migrated";
        public const string PrimaryKeyOnly = "primary key only";
        public const string Without = "without ";
    }

    private sealed record Run(double RowsPerSecond, double PostgresMicrosecondsPerRow, double P50, double P99, double Max)
    {
        /// <summary>Each figure's mean over the rounds.</summary>
        public static Run Mean(List<Run> runs) =>
            new(runs.Average(r => r.RowsPerSecond), runs.Average(r => r.PostgresMicrosecondsPerRow), runs.Average(r => r.P50),
                runs.Average(r => r.P99), runs.Average(r => r.Max));
    }
}
