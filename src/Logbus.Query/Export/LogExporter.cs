using System.Runtime.CompilerServices;
using Logbus.Query.Database;
using Logbus.Query.Search;
using Logbus.ServiceDefaults.Resilience;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Query.Export;

/// <summary>
/// Every event a search selects, in the search's order, read a keyset page at a time: memory stays at one page however
/// many events match, and each page is a short query under the Query service's read limits (no long-held connection or
/// transaction). The first page is read once: refused, the client gets the usual 503 with Retry-After, having received
/// nothing. A later page is read again when a limit refused it or PostgreSQL was briefly unreachable, since by then rows
/// have gone out and a failure can only cut the response; the keyset cursor makes the retry return exactly the rows that
/// follow the last one sent.
/// </summary>
public sealed partial class LogExporter(LogSearchStore store, IOptions<ExportOptions> options, TimeProvider time, ILogger<LogExporter> logger)
{
    /// <summary>The longest wait between two tries of a page, however many tries are allowed.</summary>
    public static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(30);

    private readonly ExportOptions _options = options.Value;

    public async IAsyncEnumerable<IReadOnlyList<LogEventView>> PagesAsync(LogSearchFilter filter, SearchOrder order,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SearchCursor? after = null;
        var size = _options.PageSize;
        while (true)
        {
            SearchPage page;
            (page, size) = await ReadPageAsync(new LogSearchRequest(filter, order, size, after), cancellationToken);
            if (page.Items.Count > 0)
            {
                yield return page.Items;
            }

            if (page.NextCursor is null)
            {
                yield break;
            }

            after = new SearchCursor(page.Items[^1].Timestamp, page.Items[^1].Id);
        }
    }

    /// <summary>
    /// The page, and the page size to go on with: a page that ran past the statement timeout is read again at half the size
    /// (a sparse match scans fewer rows to fill a smaller page), and the export keeps that size.
    /// </summary>
    private async Task<(SearchPage Page, int Size)> ReadPageAsync(LogSearchRequest request, CancellationToken cancellationToken)
    {
        var attempts = request.After is null ? 1 : _options.PageAttempts;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await store.SearchAsync(request, cancellationToken), request.Limit);
            }
            catch (Exception e) when (attempt < attempts && !cancellationToken.IsCancellationRequested && RetryReason(e) is { } reason)
            {
                var wait = TimeSpan.FromTicks((long)Math.Min(_options.PageRetryDelay.Ticks * Math.Pow(2, attempt - 1), MaxRetryWait.Ticks));
                if (e is DependencyUnavailableException { RetryAfter: var open } && open > wait)
                {
                    // The circuit breaker fails every call until its break is over: a try before that is a wasted one.
                    wait = open;
                }

                if (e is SearchTimedOutException && request.Limit > 1)
                {
                    request = request with { Limit = request.Limit / 2 };
                }

                ExportMetrics.PageRetries.Add(1, reason);
                LogPageRetry(logger, request.After!.Timestamp, request.After.Id, reason, attempt, attempts, wait.TotalSeconds,
                    request.Limit, e.Message);
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }

    /// <summary>The reason label of a failure worth another try, or null for one that would fail again (a bug, a bad filter).</summary>
    private static string? RetryReason(Exception e) => e switch
    {
        QueryBusyException => "queue_timeout",
        SearchTimedOutException => "statement_timeout",
        DependencyUnavailableException => "unavailable",
        // A restart or failover of PostgreSQL ends sessions with one of these (operator intervention) before the pool notices.
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow }
            => "unavailable",
        NpgsqlException { IsTransient: true } => "unavailable",
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export page after ({AfterTimestamp:O}, {AfterId}) failed ({Reason}), attempt {Attempt} of "
        + "{Attempts}; reading it again in {WaitSeconds} s, {PageSize} events at most: {Error}")]
    private static partial void LogPageRetry(ILogger logger, DateTimeOffset afterTimestamp, string afterId, string reason, int attempt,
        int attempts, double waitSeconds, int pageSize, string error);
}
