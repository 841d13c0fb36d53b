using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Worker;

namespace Logbus.Specs.Observability;

/// <summary>
/// One trace from the ingest request to the stored row: the Api's request span, the outbox delivery's produce to
/// Kafka, the Worker's consume and its PostgreSQL write all carry the trace id the client sent in <c>traceparent</c>.
/// Api and Worker run in this process, so one listener sees every span of both.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class TraceContinuitySpecs
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_request_s_trace_id_reaches_the_produce_the_Worker_s_consume_and_its_database_write(bool directProduce)
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 1,
            apiSettings: new Dictionary<string, string?> { ["Ingest:DirectProduce"] = directProduce ? "true" : "false" });
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/logs")
        {
            Content = JsonContent.Create(new { message = "traced", source = "trace-spec" }),
        };
        // Sampled parent, as an instrumented client would send it.
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        var response = await pipeline.Api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await pipeline.WaitForStoredAsync(1, TimeSpan.FromSeconds(60));

        List<Activity> Trace() => [.. spans.Where(s => s.TraceId == traceId)];
        // The row is visible once the transaction commits; the write's span ends a moment later.
        for (var waited = 0; waited < 100 && !Trace().Any(IsLogEventsWrite); waited++)
        {
            await Task.Delay(100);
        }

        var trace = Trace();
        var described = string.Join("\n",
            trace.Select(s => $"{s.Source.Name} {s.Kind} {s.DisplayName} {string.Join(',', s.Tags.Select(t => t.Key + '=' + t.Value))}"))
            + "\nother traces: " + string.Join("\n", spans.Where(s => s.TraceId != traceId)
                .Select(s => $"{s.TraceId} {s.Source.Name} {s.Kind} {s.DisplayName}").Take(40));

        Assert.True(trace.Any(s => s.Source.Name == "Microsoft.AspNetCore" && s.Kind == ActivityKind.Server), "the Api's request span\n" + described);
        // Produced straight from the request, or delivered from the outbox with the trace context stored beside the message.
        Assert.Equal(!directProduce, trace.Any(s => s.Source.Name == "Logbus.Messaging" && s.DisplayName == "outbox deliver"));
        Assert.True(trace.Any(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer
            && Tag(s, "messaging.destination.name") == pipeline.Topic),
            "the produce to the topic\n" + described);
        // The consumer, or the merged store transaction that took the record with others waiting for a slot.
        Assert.True(trace.Any(s => (s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer
            && Tag(s, "messaging.masstransit.consumer_type") == "Logbus.Worker.Storing.LogEventsAcceptedConsumer")
            || (s.Source.Name == "Logbus" && s.DisplayName == "store merged")),
            "the Worker's consume\n" + described);
        Assert.True(trace.Any(IsLogEventsWrite), "the Worker's write to log_events\n" + described);
    }

    private static bool IsLogEventsWrite(Activity span) =>
        span.Source.Name == "Npgsql"
        && (Tag(span, "db.query.text") ?? Tag(span, "db.statement") ?? span.DisplayName).Contains("log_events", StringComparison.OrdinalIgnoreCase);

    private static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();
}
