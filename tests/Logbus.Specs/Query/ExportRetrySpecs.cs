using System.Net;
using System.Text.Json;
using Logbus.Specs.Infrastructure;
using Npgsql;

namespace Logbus.Specs.Query;

/// <summary>
/// A page of an export that PostgreSQL cannot read for a while: the spec holds an exclusive lock on <c>log_events</c>, so
/// the page's query waits past <c>Search:StatementTimeout</c> and is cancelled, as a page on a loaded server would be.
/// Mid-stream, the exporter reads the page again and the client still gets every event exactly once; a page that keeps
/// failing aborts the response, which the client sees as an error and never as a short file that looks whole. The first
/// page, failing before any byte went out, is an ordinary 503.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ExportRetrySpecs(ExportRetrySpecs.Stack stack) : IClassFixture<ExportRetrySpecs.Stack>
{
    private const string Retries = "logbus_query_export_page_retries_total";
    private const string Cut = "logbus_query_export_cut_total";

    /// <summary>
    /// 50,000 events: far more than the sockets between a slow reader and the service hold, so the lock always finds
    /// pages still to read.
    /// </summary>
    public sealed class Stack : IAsyncLifetime
    {
        internal ExportStack Value { get; private set; } = null!;

        public async Task InitializeAsync() => Value = await ExportStack.StartAsync(50_000,
            ("Export:PageSize", "500"),
            ("Export:PageAttempts", "4"),
            ("Export:PageRetryDelay", "00:00:00.200"),
            ("Search:StatementTimeout", "00:00:02"));

        public async Task DisposeAsync() => await Value.DisposeAsync();
    }

    private ExportStack Service => stack.Value;

    [Fact]
    public async Task A_page_refused_mid_stream_is_read_again_and_every_event_arrives_exactly_once()
    {
        var retriesBefore = await Service.MetricAsync(Retries, ("reason", "statement_timeout"));
        using var client = Service.SlowReader();
        using var response = await client.GetAsync(Service.AllEvents, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var ids = new List<string>();
        await ReadIdsAsync(reader, ids, 1_000);

        Task rest;
        await using (await TableLock.TakeAsync(Service.Database.DataSource))
        {
            rest = ReadIdsAsync(reader, ids, int.MaxValue);
            await Eventually.TrueAsync(
                async () => rest.IsCompleted || await Service.MetricAsync(Retries, ("reason", "statement_timeout")) > retriesBefore,
                TimeSpan.FromMinutes(2), "a page ran past the statement timeout and was retried");
            Assert.False(rest.IsCompleted, $"The export ended ({rest.Status}, {ids.Count} events) before the lock held a page back");
        }

        await rest;
        QueryClient.SameSequence(Service.ExpectedIds, ids, "an export with a page read again");
        Assert.Contains(Service.Logs, line => line.Contains("Export page after", StringComparison.Ordinal)
            && line.Contains("statement_timeout", StringComparison.Ordinal) && line.Contains("attempt 1 of 4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_page_that_keeps_failing_aborts_the_response_so_the_client_sees_it_incomplete()
    {
        var cutBefore = await Service.MetricAsync(Cut);
        using var client = Service.SlowReader();
        using var response = await client.GetAsync(Service.AllEvents, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var ids = new List<string>();
        await ReadIdsAsync(reader, ids, 1_000);

        Exception? error;
        await using (await TableLock.TakeAsync(Service.Database.DataSource))
        {
            error = await Record.ExceptionAsync(() => ReadIdsAsync(reader, ids, int.MaxValue));
        }

        // HttpClient's HttpIOException ("the response ended prematurely"), as curl's exit code 18.
        Assert.IsAssignableFrom<IOException>(error);
        var expected = Service.ExpectedIds;
        Assert.InRange(ids.Count, 1_000, expected.Count - 1);
        QueryClient.SameSequence(expected.Take(ids.Count).ToList(), ids, "what arrived before the cut");
        Assert.True(await Service.MetricAsync(Cut) > cutBefore, "the cut export is counted");
        Assert.Contains(Service.Logs, line => line.Contains("Export cut after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_first_page_that_fails_is_an_ordinary_503_with_retry_after()
    {
        await using var locked = await TableLock.TakeAsync(Service.Database.DataSource);

        using var response = await Service.Client.GetAsync(Service.AllEvents);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("Search:StatementTimeout", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Adds the ids of the next lines (at most <paramref name="count"/>) to <paramref name="ids"/>.</summary>
    private static async Task ReadIdsAsync(StreamReader reader, List<string> ids, int count)
    {
        for (var i = 0; i < count && await reader.ReadLineAsync() is { } line; i++)
        {
            using var document = JsonDocument.Parse(line);
            ids.Add(document.RootElement.GetProperty("id").GetString()!);
        }
    }

    /// <summary>An exclusive lock on <c>log_events</c> in an open transaction: every read of the table waits until it ends.</summary>
    private sealed class TableLock : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _transaction;

        private TableLock(NpgsqlConnection connection, NpgsqlTransaction transaction)
        {
            _connection = connection;
            _transaction = transaction;
        }

        public static async Task<TableLock> TakeAsync(NpgsqlDataSource dataSource)
        {
            var connection = await dataSource.OpenConnectionAsync();
            var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand("LOCK TABLE log_events IN ACCESS EXCLUSIVE MODE", connection, transaction);
            await command.ExecuteNonQueryAsync();
            return new TableLock(connection, transaction);
        }

        public async ValueTask DisposeAsync()
        {
            await _transaction.RollbackAsync();
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
