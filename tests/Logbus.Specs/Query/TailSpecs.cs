extern alias query;

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Query;

[Trait("Kind", "Integration")]
public sealed class TailSpecs
{
    [Fact]
    public async Task Events_dated_far_in_the_future_do_not_freeze_an_open_tail_nor_a_new_one()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var service = new ServiceFactory<query::Program>(Settings(db));
        using var client = service.CreateClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var open = await TailStream.OpenAsync(client, "/api/query/tail", cancel.Token);

        // One more than a poll shows, all dated 2999: newest-by-timestamp would show these and nothing after them.
        await db.ExecuteAsync("""
            INSERT INTO log_events (id, "timestamp", level, message, source, received_at)
            SELECT 'future-' || n, '2999-01-01T00:00:00Z'::timestamptz + n * interval '1 second', 'INFO', 'from the future', 'tail-spec', now()
            FROM generate_series(1, 501) AS n
            """);

        await InsertAsync(db, "after-the-future");
        await open.ReadUntilAsync("after-the-future", cancel.Token);

        await using var opened = await TailStream.OpenAsync(client, "/api/query/tail", cancel.Token);
        await InsertAsync(db, "for-the-new-tail");
        var shown = await opened.ReadUntilAsync("for-the-new-tail", cancel.Token);
        Assert.DoesNotContain(shown, id => id.StartsWith("future-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1", "5", "Tail:MaxConnections = 1")]
    [InlineData("5", "1", "Tail:MaxConnectionsPerClient = 1")]
    public async Task Tails_over_the_cap_are_a_429_naming_the_setting_and_room_comes_back_when_one_closes(
        string total, string perClient, string setting)
    {
        await using var db = await SpecDatabase.CreateAsync();
        var settings = Settings(db);
        settings["Tail:MaxConnections"] = total;
        settings["Tail:MaxConnectionsPerClient"] = perClient;
        await using var service = new ServiceFactory<query::Program>(settings);
        using var client = service.CreateClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var first = await TailStream.OpenAsync(client, "/api/query/tail", cancel.Token);
        using var refused = await client.GetAsync("/api/query/tail", HttpCompletionOption.ResponseHeadersRead, cancel.Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(cancel.Token);
        Assert.Contains(setting, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Ready once started (its checks run in the background at first), and not made unready by this.
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the Query service is ready");

        await first.DisposeAsync();
        await Eventually.TrueAsync(async () =>
        {
            using var again = await client.GetAsync("/api/query/tail", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            return again.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "a tail can be opened once another closed");
    }

    private static Dictionary<string, string?> Settings(SpecDatabase db)
    {
        var settings = ServiceSettings.For(db);
        settings["Cache:KeyPrefix"] = db.Name + ":";
        settings["Tail:PollInterval"] = "00:00:00.200";
        return settings;
    }

    private static async Task InsertAsync(SpecDatabase db, string id)
    {
        await using var command = db.DataSource.CreateCommand("""
            INSERT INTO log_events (id, "timestamp", level, message, source, received_at)
            VALUES (@id, now(), 'INFO', 'inserted by a spec', 'tail-spec', now())
            """);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>An open live tail, read line by line.</summary>
    private sealed class TailStream(HttpResponseMessage response, StreamReader reader) : IAsyncDisposable
    {
        public static async Task<TailStream> OpenAsync(HttpClient client, string url, CancellationToken cancellationToken)
        {
            var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            Assert.StartsWith(": live tail started", await reader.ReadLineAsync(cancellationToken));
            return new TailStream(response, reader);
        }

        /// <summary>The ids streamed until this one, inclusive.</summary>
        public async Task<List<string>> ReadUntilAsync(string id, CancellationToken cancellationToken)
        {
            var received = new List<string>();
            while (!received.Contains(id))
            {
                var line = await reader.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("the stream ended");
                if (line.StartsWith("data: ", StringComparison.Ordinal)
                    && JsonDocument.Parse(line["data: ".Length..]).RootElement.TryGetProperty("id", out var streamed))
                {
                    received.Add(streamed.GetString()!);
                }
            }

            return received;
        }

        public ValueTask DisposeAsync()
        {
            reader.Dispose();
            response.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
