using System.Diagnostics;
using Npgsql;

namespace Logbus.Bench.Measuring;

/// <summary>
/// How many events the pipeline stored, counted without disturbing what is measured. While a benchmark waits for a
/// drain it reads the Workers' own counter of rows stored (<c>logbus_worker_events_stored_total</c> on each Worker's
/// <c>/metrics</c>, summed): one HTTP GET per Worker, no PostgreSQL work. A <c>count(*)</c> over <c>log_events</c>
/// cost 141 ms of PostgreSQL a call at 670k rows and grew with the table, 17.6 s per run (issue 19).
/// <para>
/// The counter is not exact on its own: a Worker adds to it inside the storing transaction, so a transaction that is
/// rolled back after counting (and stored again on redelivery) counts twice. So once the clock has stopped,
/// <see cref="VerifyAsync"/> counts the run's rows in SQL, once, by the primary key's id range, and waits until they
/// are all there: the figures come from the cheap counter, the exactness from the SQL count outside the timed window.
/// Without Workers to scrape (a stack driven through <c>--api</c>) the SQL count is all there is.
/// </para>
/// </summary>
/// <param name="runIdPrefix">Without Workers to scrape, only rows with ids of this prefix are counted (a running stack holds others).</param>
internal sealed class StoredEvents(IReadOnlyList<Uri> workers, NpgsqlDataSource? database, string? runIdPrefix = null)
{
    public const string Metric = "logbus_worker_events_stored_total";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private long _scrapes;
    private long _scrapeTicks;

    /// <summary>How the drain is counted, for the report.</summary>
    public string Method => workers.Count > 0
        ? $"the Workers' `{Metric}` ({workers.Count} Worker{(workers.Count > 1 ? "s" : "")}, /metrics read every 100 ms near the end "
            + "of a drain, at most every 1 s before)"
        : "SQL `count(*)` over the run's ids (no Worker to scrape)";

    /// <summary>Scrapes so far and their mean time, to show the counting is cheap.</summary>
    public (long Count, double MeanMs) Scrapes =>
        (_scrapes, _scrapes == 0 ? 0 : Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _scrapeTicks)).TotalMilliseconds / _scrapes);

    /// <summary>Events stored so far by every Worker (since each started), or rows in <c>log_events</c> without Workers.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        if (workers.Count == 0)
        {
            return database is null ? 0 : await CountRowsAsync(database, runIdPrefix, cancellationToken);
        }

        var started = Stopwatch.GetTimestamp();
        var counts = await Task.WhenAll(workers.Select(w => PerWorkerAsync(w, cancellationToken)));
        Interlocked.Add(ref _scrapeTicks, Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _scrapes);
        return counts.Sum();
    }

    /// <summary>Events stored by one Worker since it started, from its <c>/metrics</c>.</summary>
    public async Task<long> PerWorkerAsync(Uri worker, CancellationToken cancellationToken) =>
        (long)PrometheusText.Sum(await _http.GetStringAsync(new Uri(worker, "/metrics"), cancellationToken), Metric);

    /// <summary>
    /// Waits until <see cref="CountAsync"/> reaches <paramref name="target"/>. Gives up once nothing more was stored for
    /// <see cref="StallLimit"/> (events lost, or a Worker stuck: waiting longer would only hide it), and after 15 minutes.
    /// </summary>
    public async Task WaitForAsync(BenchContext context, long target, string what, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var lastReport = started;
        var lastMove = started;
        var last = -1L;
        var (previousCount, previousRead) = (-1L, started);
        while (await CountAsync(cancellationToken) is var count && count < target)
        {
            var now = DateTime.UtcNow;
            var rate = previousCount < 0 ? 0 : (count - previousCount) / Math.Max((now - previousRead).TotalSeconds, 0.001);
            (previousCount, previousRead) = (count, now);
            if (count != last)
            {
                (last, lastMove) = (count, now);
            }

            if (now - lastMove > StallLimit || now - started > TimeSpan.FromMinutes(15))
            {
                throw new TimeoutException(
                    $"Gave up waiting for {what}: {count:N0} of {target:N0} stored, none more in the last "
                    + $"{(now - lastMove).TotalSeconds:N0} s ({(now - started).TotalSeconds:N0} s in all). Events were lost or a Worker "
                    + "is stuck: the services' logs are in the run's results.");
            }

            if (now - lastReport > TimeSpan.FromSeconds(10))
            {
                context.Progress($"still waiting for {what}: {count:N0} of {target:N0} so far");
                lastReport = now;
            }

            await Task.Delay(workers.Count > 0 ? DrainPolling.NextDelay(target - count, rate) : DrainPolling.Fastest, cancellationToken);
        }
    }

    /// <summary>How long the count may stand still before a wait gives up.</summary>
    public static TimeSpan StallLimit { get; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Once, after the clock stopped: the rows and distinct ids in <c>log_events</c> (only the run's when
    /// <paramref name="idPrefix"/> is given, by the primary key's range), waiting up to a minute for
    /// <paramref name="expected"/> rows in case the counter ran ahead of a commit.
    /// </summary>
    public async Task<(long Rows, long Distinct)> VerifyAsync(long expected, string? idPrefix, CancellationToken cancellationToken)
    {
        if (database is null)
        {
            return (-1, -1);
        }

        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (await CountRowsAsync(database, idPrefix, cancellationToken) < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, cancellationToken);
        }

        await using var command = database.CreateCommand(
            StatementBreakdown.BenchTag + "SELECT count(*), count(DISTINCT id) FROM log_events" + Where(idPrefix));
        AddRange(command, idPrefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<long> CountRowsAsync(NpgsqlDataSource database, string? idPrefix, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(StatementBreakdown.BenchTag + "SELECT count(*) FROM log_events" + Where(idPrefix));
        AddRange(command, idPrefix);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    // Ids of a run are "<prefix>…": the range from the prefix to the prefix with its last character's successor is a range
    // scan of pk_log_events (id, timestamp) under the stack's code-point collation (C.UTF-8), where LIKE 'prefix%' would
    // not use the index.
    private static string Where(string? idPrefix) => idPrefix is null ? "" : " WHERE id >= @from AND id < @to";

    private static void AddRange(NpgsqlCommand command, string? idPrefix)
    {
        if (idPrefix is not null)
        {
            command.Parameters.AddWithValue("from", idPrefix);
            command.Parameters.AddWithValue("to", idPrefix[..^1] + (char)(idPrefix[^1] + 1));
        }
    }
}
