extern alias query;

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Query;

[Trait("Kind", "Integration")]
public sealed class QueryBoundsSpecs
{
    [Theory]
    [InlineData("/api/query/logs?q=timeout&from=2025-01-01T00:00:00Z")]
    [InlineData("/api/query/stats?hoursBack=168")]
    [InlineData("/gateway/api/query/search?query=timeout")]
    public async Task A_read_that_runs_past_the_statement_timeout_is_a_503_saying_how_to_narrow_it_and_others_still_work(string url)
    {
        await using var db = await SpecDatabase.CreateAsync();
        var settings = Settings(db);
        settings["Search:StatementTimeout"] = "00:00:01";
        await using var service = new ServiceFactory<query::Program>(settings);
        using var client = service.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/query/logs?level=ERROR")).StatusCode);

        // A statement waiting for a lock runs as long as one reading a year of events: it is cut off all the same.
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var lockTable = connection.CreateCommand())
            {
                lockTable.CommandText = "LOCK TABLE log_events IN ACCESS EXCLUSIVE MODE";
                await lockTable.ExecuteNonQueryAsync();
            }

            using var response = await client.GetAsync(url);

            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable,
                $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 1);
            var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString() ?? "";
            Assert.Contains("Search:StatementTimeout", detail, StringComparison.Ordinal);
            Assert.Contains("narrow", detail, StringComparison.OrdinalIgnoreCase);
            await transaction.RollbackAsync();
        }

        // A slow search is the search's problem, not an outage: the next one is answered at once.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/query/logs?level=WARN")).StatusCode);
        // Ready once started (its checks run in the background at first), and not made unready by this.
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the Query service is ready");
    }

    [Fact]
    public async Task Reads_beyond_the_concurrency_limit_wait_briefly_then_get_a_503_naming_it_and_the_service_stays_up()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var settings = Settings(db);
        settings["Search:MaxConcurrentReads"] = "1";
        settings["Search:QueueTimeout"] = "00:00:00.500";
        await using var service = new ServiceFactory<query::Program>(settings);
        using var client = service.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/query/logs?level=DEBUG")).StatusCode);

        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = connection.CreateCommand())
        {
            lockTable.CommandText = "LOCK TABLE log_events IN ACCESS EXCLUSIVE MODE";
            await lockTable.ExecuteNonQueryAsync();
        }

        // A slow search (here: one waiting for the lock) takes the only read.
        var slow = client.GetAsync("/api/query/logs?level=ERROR&q=slow");
        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0,
            TimeSpan.FromSeconds(30), "the slow search waits in PostgreSQL");

        using var refused = await client.GetAsync("/api/query/logs?level=WARN");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 1);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString() ?? "";
        Assert.Contains("Search:MaxConcurrentReads", detail, StringComparison.Ordinal);
        await transaction.RollbackAsync();
        Assert.Equal(HttpStatusCode.OK, (await slow).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/query/logs?level=WARN")).StatusCode);
    }

    [Theory]
    [InlineData("/gateway/api/query/logs?page=2147483", "page")]
    [InlineData("/gateway/api/query/logs?page=100&size=1000", "page")]
    [InlineData("/gateway/api/query/search?query=x&page=2147483", "page")]
    public async Task A_page_beyond_the_offset_limit_is_a_400_naming_the_limit_and_its_setting(string url, string parameter)
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var service = new ServiceFactory<query::Program>(Settings(db));
        using var client = service.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var message = string.Join(' ', problem.GetProperty("errors").GetProperty(parameter).EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("10000", message, StringComparison.Ordinal);
        Assert.Contains("Search:MaxOffset", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/gateway/api/query/logs?page=199&size=50")).StatusCode);
    }

    private static Dictionary<string, string?> Settings(SpecDatabase db)
    {
        var settings = ServiceSettings.For(db);
        settings["Cache:KeyPrefix"] = db.Name + ":";
        return settings;
    }
}
