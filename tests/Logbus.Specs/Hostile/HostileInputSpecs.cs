using System.Net;
using Logbus.Specs.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Logbus.Specs.Hostile;

/// <summary>
/// What a hostile or careless client sends every route of the three services (<see cref="HostileRequests"/>), against
/// the services running as processes: each request gets its answer (a ProblemDetails naming the field or limit, never a
/// 500), a refused request changes no row in PostgreSQL, every service stays ready, and none grows its resident memory
/// by <see cref="MaxGrowthMegabytes"/> or more.
/// </summary>
[Collection("hostile stack")]
[Trait("Kind", "Integration")]
public sealed class HostileInputSpecs(HostileStack stack, ITestOutputHelper output)
{
    private const double MaxGrowthMegabytes = 200;

    public static TheoryData<string> Cases => HostileRequests.Names();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_request_gets_its_answer_stores_nothing_partial_and_costs_the_services_little(string name)
    {
        var request = HostileRequests.Named(name);
        var failures = new List<string>();
        var rowsBefore = await stack.RowCountsAsync();
        var eventsBefore = await stack.StoredEventsAsync();
        var memory = Enum.GetValues<HostileService>().ToDictionary(s => s, s => ResidentMemory.Measure(stack.Process(s).ProcessId));

        var (status, answer, mediaType, retryAfter) = await SendAsync(request);
        output.WriteLine($"{request}\n  answered {status}: {Shorten(answer)}");

        Check(failures, "status", () => Assert.True(status == request.Status, $"expected {request.Status}, got {status}: {Shorten(answer)}"));
        if (request.Method != "RAW GET" && status >= 400)
        {
            Check(failures, "ProblemDetails", () => Assert.Equal(request.ProblemMediaType, mediaType));
        }

        if (request.Mentions is { } mention)
        {
            Check(failures, "names", () => Assert.True(answer.Contains(mention, StringComparison.OrdinalIgnoreCase),
                $"the answer names '{mention}': {Shorten(answer)}"));
        }

        if (status == 429)
        {
            Check(failures, "Retry-After", () => Assert.True(retryAfter, "a 429 says when to retry"));
        }

        if (request.Method == "RAW GET")
        {
            Check(failures, "no file outside the UI", () => Assert.True(!answer.Contains("root:", StringComparison.Ordinal)
                && !answer.Contains("ConnectionStrings", StringComparison.Ordinal), Shorten(answer)));
        }

        await CheckAsync(failures, "stored", async () =>
        {
            if (request.Writes)
            {
                if (request.Stores > 0)
                {
                    await Eventually.TrueAsync(async () => await stack.StoredEventsAsync() >= eventsBefore + request.Stores,
                        TimeSpan.FromSeconds(120), $"{request.Stores} events are stored");
                }

                await stack.SentinelAsync();
            }

            if (status < 400)
            {
                Assert.Equal(eventsBefore + request.Stores, await stack.StoredEventsAsync());
            }
            else
            {
                Assert.Equal(rowsBefore, await stack.RowCountsAsync());
            }
        });
        await CheckAsync(failures, "ready", () => stack.AssertAllReadyAsync(name));
        foreach (var (service, measured) in memory)
        {
            var growth = measured.PeakGrowthMegabytes();
            output.WriteLine($"  {service}: resident memory peaked {growth:0} MB above its start");
            Check(failures, "memory", () => Assert.True(growth < MaxGrowthMegabytes,
                $"{service} grew by {growth:0} MB (limit {MaxGrowthMegabytes:0} MB)"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Five_hundred_concurrent_tails_are_followed_or_refused_with_429_and_Query_stays_ready()
    {
        var memory = ResidentMemory.Measure(stack.Stack.Query.ProcessId);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 })
        {
            BaseAddress = stack.Stack.Query.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var tails = await Task.WhenAll(Enumerable.Range(0, 500).Select(async i =>
        {
            try
            {
                return await client.GetAsync("/api/query/tail", HttpCompletionOption.ResponseHeadersRead, stop.Token);
            }
            catch (HttpRequestException e)
            {
                output.WriteLine($"tail {i}: {e.Message}");
                return null;
            }
        }));
        try
        {
            var statuses = tails.GroupBy(t => t is null ? "no answer" : $"{(int)t.StatusCode}").Select(g => $"{g.Count()} × {g.Key}");
            output.WriteLine("500 tails: " + string.Join(", ", statuses));

            Assert.All(tails, t => Assert.True(t is { StatusCode: HttpStatusCode.OK or HttpStatusCode.TooManyRequests },
                $"a tail was answered {t?.StatusCode.ToString() ?? "not at all"}"));
            var refused = tails.Where(t => t!.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.True(refused.Count > 0, "500 tails from one address are capped: some are refused with 429");
            Assert.All(refused, r => Assert.NotNull(r!.Headers.RetryAfter));
            Assert.All(refused, r => Assert.Equal("application/problem+json", r!.Content.Headers.ContentType?.MediaType));
            await stack.AssertAllReadyAsync("500 tails opened");
            using var search = await stack.Client(HostileService.Query).GetAsync("/api/query/logs?limit=1");
            Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        }
        finally
        {
            foreach (var tail in tails)
            {
                tail?.Dispose();
            }
        }

        // The capacity comes back once the tails are gone.
        await Eventually.TrueAsync(async () =>
        {
            using var again = await client.GetAsync("/api/query/tail", HttpCompletionOption.ResponseHeadersRead);
            return again.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "a new tail is followed again");
        var growth = memory.PeakGrowthMegabytes();
        output.WriteLine($"Query: resident memory peaked {growth:0} MB above its start");
        Assert.True(growth < MaxGrowthMegabytes, $"Query grew by {growth:0} MB with 500 tails");
    }

    [Fact]
    public async Task Twenty_five_parallel_year_long_text_searches_are_answered_or_refused_and_Query_stays_ready()
    {
        // Enough events that a scan costs something: 200,000 over the last 25 days, one word in 100 a rare one.
        await stack.Database.ExecuteAsync("""
            INSERT INTO log_events (id, "timestamp", level, message, source, received_at)
            SELECT 'year-' || i, now() - (i % 600000) * interval '3.6 seconds',
                   (ARRAY['INFO','WARN','ERROR'])[1 + i % 3], 'request ' || i || ' took ' || (i % 977) || ' ms'
                   || CASE WHEN i % 100 = 0 THEN ' rare' || (i % 25) ELSE '' END, 'hostile-search', now()
            FROM generate_series(1, 200000) AS i
            ON CONFLICT DO NOTHING
            """);
        await stack.Database.ExecuteAsync("ANALYZE log_events");
        var memory = ResidentMemory.Measure(stack.Stack.Query.ProcessId);
        var to = DateTimeOffset.UtcNow;
        var from = to.AddDays(-365);
        var query = stack.Client(HostileService.Query);

        var answers = await Task.WhenAll(Enumerable.Range(0, 25).Select(async i =>
        {
            // A different word each, so the cache answers none of them.
            using var response = await query.GetAsync($"/api/query/logs?q=took+rare{i}&limit=1000&from={Uri.EscapeDataString(from.ToString("O"))}"
                + $"&to={Uri.EscapeDataString(to.ToString("O"))}");
            return (response.StatusCode, response.Headers.RetryAfter, response.Content.Headers.ContentType?.MediaType,
                Body: await response.Content.ReadAsStringAsync());
        }));
        output.WriteLine("25 searches: " + string.Join(", ", answers.GroupBy(a => a.StatusCode).Select(g => $"{g.Count()} × {(int)g.Key}")));

        Assert.All(answers, a =>
        {
            Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests
                or HttpStatusCode.ServiceUnavailable, $"{(int)a.StatusCode}: {Shorten(a.Body)}");
            if (a.StatusCode != HttpStatusCode.OK)
            {
                Assert.Equal("application/problem+json", a.MediaType);
            }

            if (a.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            {
                Assert.NotNull(a.RetryAfter);
            }
        });
        await stack.AssertAllReadyAsync("25 year-long searches");
        var growth = memory.PeakGrowthMegabytes();
        output.WriteLine($"Query: resident memory peaked {growth:0} MB above its start");
        Assert.True(growth < MaxGrowthMegabytes, $"Query grew by {growth:0} MB with 25 year-long searches");
    }

    private async Task<(int Status, string Answer, string? MediaType, bool RetryAfter)> SendAsync(HostileRequest request)
    {
        var process = stack.Process(request.Service);
        if (request.Method == "RAW GET")
        {
            var (rawStatus, rawAnswer) = await RawHttp.GetAsync(process.BaseAddress, request.Target);
            return (rawStatus, rawAnswer, null, rawAnswer.Contains("\r\nRetry-After:", StringComparison.OrdinalIgnoreCase));
        }

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Target) { Content = request.Body?.Invoke() };
        if (request.IdempotencyKey is { } key)
        {
            message.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        using var response = await stack.Client(request.Service).SendAsync(message);
        var answer = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, answer, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter is not null);
    }

    private static void Check(List<string> failures, string what, Action check)
    {
        try
        {
            check();
        }
        catch (XunitException e)
        {
            failures.Add($"{what}: {e.Message}");
        }
    }

    private static async Task CheckAsync(List<string> failures, string what, Func<Task> check)
    {
        try
        {
            await check();
        }
        catch (XunitException e)
        {
            failures.Add($"{what}: {e.Message}");
        }
    }

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + $"… ({text.Length:N0} characters)";
}
