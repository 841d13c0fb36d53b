using System.Net;
using System.Net.Http.Json;
using System.Text;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Worker;

namespace Logbus.Specs.Isolation;

/// <summary>
/// Well-formed callers next to careless ones, against the real Api and Worker: the bad input of one caller costs no
/// other caller an event, and no one's delivery waits on it.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class MixedLoadSpecs
{
    private const int Clients = 50;
    private const int EventsPerClient = 20;

    [Fact]
    public async Task Fifty_well_formed_clients_beside_a_jsonb_incompatible_one_and_a_1_MB_escape_heavy_one_all_have_every_event_stored_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 6);
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        // Warmed up: the first delivery waits for the bus to connect, which says nothing about delivery under load.
        var warmUp = await pipeline.Api.Client.PostAsJsonAsync("/api/logs",
            new { id = "warm-up", level = "INFO", message = "m", source = "mixed-load-spec" });
        Assert.Equal(HttpStatusCode.Accepted, warmUp.StatusCode);
        await pipeline.WaitForStoredAsync(1, TimeSpan.FromMinutes(1));
        var loadStarted = System.Diagnostics.Stopwatch.StartNew();
        var oldest = new List<(double At, double Age)>();
        using var loadDone = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!loadDone.IsCancellationRequested)
            {
                oldest.Add((loadStarted.Elapsed.TotalSeconds, await db.ScalarAsync<double>(
                    "SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(sent_time)), 0)::float8 FROM messaging.outbox_message " +
                    "WHERE outbox_id IS NOT NULL")));
                await Task.Delay(100, CancellationToken.None);
            }
        });

        var good = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            for (var i = 0; i < EventsPerClient; i++)
            {
                var response = await pipeline.Api.Client.PostAsJsonAsync("/api/logs", new
                {
                    id = $"good-{client:D2}-{i:D3}", timestamp = start.AddMilliseconds((client * EventsPerClient) + i), level = "INFO",
                    message = $"event {i} of client {client}", source = "mixed-load-spec", metadata = new { client, i },
                });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
        })).ToList();
        var jsonbIncompatible = Task.Run(async () =>
        {
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < EventsPerClient; i++)
            {
                var json = $$$"""{"id":"bad-number-{{{i}}}","level":"INFO","message":"m","source":"mixed-load-spec","metadata":{"n":1e999999}}""";
                answers.Add((await PostRawAsync(pipeline, json)).StatusCode);
            }

            return answers;
        });
        var escapeHeavy = Task.Run(async () =>
        {
            // About 1 MB on the wire, six bytes of escape for each character of the message.
            var message = string.Concat(Enumerable.Repeat("\\u0007", 175_000));
            return await PostRawAsync(pipeline, $$"""{"id":"bad-huge","level":"INFO","message":"{{message}}","source":"mixed-load-spec"}""");
        });

        await Task.WhenAll(good);
        var refusedNumbers = await jsonbIncompatible;
        var huge = await escapeHeavy;
        await pipeline.WaitForStoredAsync(1 + (Clients * EventsPerClient), TimeSpan.FromMinutes(2));
        await loadDone.CancelAsync();
        await sampler;

        await pipeline.WaitForConsumedAsync(TimeSpan.FromMinutes(1));
        await pipeline.AssertExactlyAsync(1 + (Clients * EventsPerClient));
        Assert.All(refusedNumbers, status => Assert.Equal(HttpStatusCode.BadRequest, status));
        Assert.Contains(huge.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge });
        Assert.Contains("message", await huge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE id LIKE 'bad-%'"));
        Assert.Empty((await pipeline.WorkerClient.GetFromJsonAsync<List<object>>("/api/dead-letters"))!);
        Assert.NotEmpty(oldest);
        var worst = oldest.MaxBy(o => o.Age);
        Assert.True(worst.Age < 5, $"the outbox's oldest message was {worst.Age:0.0} s old {worst.At:0.0} s into the load (must stay under 5 s); " +
            $"samples: {string.Join(", ", oldest.Where(o => o.Age >= 1).Select(o => $"{o.At:0.0}s:{o.Age:0.0}"))}");
    }

    private static Task<HttpResponseMessage> PostRawAsync(Pipeline pipeline, string json) =>
        pipeline.Api.Client.PostAsync("/api/logs", new StringContent(json, Encoding.UTF8, "application/json"));
}
