using System.Globalization;
using System.Text;
using Npgsql;

namespace Logbus.Bench.Measuring;

/// <summary>
/// Where PostgreSQL's time goes, per kind of statement, from <c>pg_stat_statements</c> (which <c>./logbus stack</c> preloads):
/// reset before a mode, read after it, and grouped into the kinds issue 19 names (the insert into <c>log_events</c>, the
/// COPYs, outbox, inbox, transaction control, the Query's reads, the benchmark's own statements, the rest). Times are
/// statement time summed over sessions (several sessions at once add up to more than the wall clock), and a COPY's
/// time includes waiting for the client's rows.
/// </summary>
internal sealed class StatementBreakdown
{
    /// <summary>Leads every statement the benchmarks send while a mode runs, so they show as their own kind.</summary>
    public const string BenchTag = "/* logbus-bench */ ";

    /// <summary>Leads the load generator's lookups of its sampled ids' commit times, once a mode's load has been sent.</summary>
    public const string CommitTimesTag = "/* logbus-bench-commit-times */ ";

    private readonly NpgsqlDataSource _database;

    private StatementBreakdown(NpgsqlDataSource database, string? unavailable)
    {
        _database = database;
        Unavailable = unavailable;
    }

    /// <summary>Why there is no breakdown (the extension not preloaded, say), or null.</summary>
    public string? Unavailable { get; }

    /// <summary>Creates the extension in the benchmark's database and checks it answers.</summary>
    public static async Task<StatementBreakdown> CreateAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        try
        {
            await using (var create = database.CreateCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var probe = database.CreateCommand("SELECT count(*) FROM pg_stat_statements");
            await probe.ExecuteScalarAsync(cancellationToken);
            return new StatementBreakdown(database, null);
        }
        catch (PostgresException e)
        {
            // 55000 "must be loaded via shared_preload_libraries" on a server started without it, 0A000 when not installed.
            return new StatementBreakdown(database, $"pg_stat_statements is not available ({e.SqlState}: {e.MessageText})");
        }
    }

    /// <summary>Forgets what was counted so far (every database's: the stack's server is the benchmark's).</summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        if (Unavailable is null)
        {
            await using var command = _database.CreateCommand("SELECT pg_stat_statements_reset()");
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The statements of this database since the last reset, grouped by kind, largest total first.</summary>
    public async Task<IReadOnlyList<KindTotal>> ReadAsync(CancellationToken cancellationToken)
    {
        if (Unavailable is not null)
        {
            return [];
        }

        await using var command = _database.CreateCommand(
            "SELECT query, calls, total_exec_time, rows, wal_bytes FROM pg_stat_statements WHERE dbid = "
            + "(SELECT oid FROM pg_database WHERE datname = current_database())");
        var totals = new Dictionary<string, KindTotal>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var kind = Kind(reader.GetString(0));
            var sum = totals.GetValueOrDefault(kind) ?? new KindTotal(kind, 0, 0, 0, 0);
            totals[kind] = sum with
            {
                Calls = sum.Calls + reader.GetInt64(1),
                TotalMs = sum.TotalMs + reader.GetDouble(2),
                Rows = sum.Rows + reader.GetInt64(3),
                WalBytes = sum.WalBytes + (double)reader.GetDecimal(4),
            };
        }

        return [.. totals.Values.Where(t => t.Calls > 0).OrderByDescending(t => t.TotalMs)];
    }

    /// <summary>The kind a statement's text (as <c>pg_stat_statements</c> normalized it) belongs to.</summary>
    public static string Kind(string query)
    {
        var q = query.TrimStart();
        if (q.Contains(CommitTimesTag.Trim(), StringComparison.Ordinal))
        {
            return "the benchmark's lookups of sampled ids' commit times (after the load)";
        }

        if (q.Contains(BenchTag.Trim(), StringComparison.Ordinal))
        {
            return "the benchmark's own statements";
        }

        static bool Starts(string text, string verb) => text.StartsWith(verb, StringComparison.OrdinalIgnoreCase);
        bool Has(string part) => q.Contains(part, StringComparison.OrdinalIgnoreCase);
        if (Starts(q, "INSERT INTO log_events") || Starts(q, "INSERT INTO \"log_events\"") || Starts(q, "INSERT INTO public.log_events"))
        {
            return "INSERT into log_events";
        }

        if (Starts(q, "COPY log_events_staging"))
        {
            return "COPY into staging";
        }

        if (Starts(q, "COPY log_events") || Starts(q, "COPY \"log_events\"") || Starts(q, "COPY public.log_events"))
        {
            return "COPY into log_events";
        }

        if (Has("log_events_staging"))
        {
            return "staging table (create, truncate)";
        }

        if (Has("outbox_message") || Has("outbox_state"))
        {
            var verb = q.Split([' ', '\n', '\t'], 2)[0].ToUpperInvariant();
            return verb switch
            {
                "INSERT" => "outbox insert",
                "SELECT" => "outbox select",
                "DELETE" => "outbox delete",
                "UPDATE" => "outbox update",
                _ => "outbox, other",
            };
        }

        if (Has("inbox_state"))
        {
            return "inbox";
        }

        if (Has("import_state") || Has("import_idempotency_keys"))
        {
            return "import saga";
        }

        if (Starts(q, "BEGIN") || Starts(q, "COMMIT") || Starts(q, "ROLLBACK") || Starts(q, "SAVEPOINT") || Starts(q, "RELEASE"))
        {
            return "transaction control (BEGIN, COMMIT)";
        }

        if (Starts(q, "SELECT") && Has("log_events"))
        {
            return "reads of log_events (Query)";
        }

        return "other";
    }

    /// <summary>A markdown table of the kinds; per stored event when <paramref name="storedEvents"/> is known.</summary>
    public static string ToMarkdown(string title, IReadOnlyList<KindTotal> kinds, long storedEvents)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Where the time goes, {title} (pg_stat_statements, statement time summed over sessions):")
            .AppendLine()
            .AppendLine("| statement kind | total | calls | rows | per row | per stored event | WAL per row |")
            .AppendLine("|---|---|---|---|---|---|---|");
        foreach (var k in kinds)
        {
            var perRow = k.Rows > 0 ? $"{k.TotalMs * 1000 / k.Rows:0.#} µs" : $"{k.TotalMs * 1000 / k.Calls:0.#} µs a call";
            var perEvent = storedEvents > 0 ? $"{k.TotalMs * 1000 / storedEvents:0.#} µs" : "";
            var wal = k.Rows > 0 && k.WalBytes > 0 ? $"{k.WalBytes / k.Rows:N0} B" : "";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {k.Kind} | {k.TotalMs / 1000:0.00} s | {k.Calls:N0} | {k.Rows:N0} | {perRow} | {perEvent} | {wal} |");
        }

        var total = kinds.Sum(k => k.TotalMs);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| all | {total / 1000:0.00} s | {kinds.Sum(k => k.Calls):N0} | | | "
            + $"{(storedEvents > 0 ? $"{total * 1000 / storedEvents:0.#} µs" : "")} | |");
        return text.ToString();
    }

    internal sealed record KindTotal(string Kind, long Calls, double TotalMs, long Rows, double WalBytes);
}
