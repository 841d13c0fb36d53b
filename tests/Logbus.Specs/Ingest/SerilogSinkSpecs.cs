using System.Diagnostics;
using Logbus.Specs.Infrastructure;
using Serilog;
using Serilog.Events;

namespace Logbus.Specs.Ingest;

[Trait("Kind", "Integration")]
public sealed class SerilogSinkSpecs
{
    [Fact]
    public async Task An_application_logging_with_Serilog_Sinks_Seq_ships_5000_events_and_all_reach_the_outbox()
    {
        const int count = 5_000;
        await using var db = await SpecDatabase.CreateAsync();
        var port = FreePort.Next();
        await using var api = ApiHost.Start(db, realPort: port);
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "SerilogSinkSpecs",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(activities);
        using var source = new ActivitySource("SerilogSinkSpecs");
        ActivityTraceId traced;

        // Exactly how an application ships to Seq: nothing Logbus-specific.
        await using (var logger = new LoggerConfiguration()
                         .MinimumLevel.Verbose()
                         .Enrich.WithProperty("Application", "serilog-app")
                         .WriteTo.Seq($"http://127.0.0.1:{port}", period: TimeSpan.FromMilliseconds(100))
                         .CreateLogger())
        {
            using (var request = source.StartActivity("request"))
            {
                traced = request!.TraceId;
                logger.Warning("Payment {PaymentId} for {Amount:0.00} EUR declined", "pay-1", 12.5m);
            }

            for (var i = 1; i < count; i++)
            {
                logger.Write((LogEventLevel)(i % 6), "Event {Number} of {Total} from {@User}", i, count, new { Name = "student123", Id = i % 10 });
            }
        }

        var events = await api.OutboxEventsAsync();
        Assert.Equal(count, events.Count);
        Assert.All(events, e => Assert.Equal("serilog-app", e.Source));
        var payment = Assert.Single(events, e => e.Message == "Payment \"pay-1\" for 12.50 EUR declined");
        Assert.Equal("WARN", payment.Level);
        Assert.Equal(traced.ToString(), payment.TraceId);
        Assert.Equal("pay-1", payment.Metadata!.Value.GetProperty("PaymentId").GetString());
        Assert.Equal(count - 1, events.Count(e => e.Message.StartsWith("Event ", StringComparison.Ordinal)));
        Assert.Equal(["DEBUG", "ERROR", "FATAL", "INFO", "TRACE", "WARN"], events.Select(e => e.Level).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal("student123", events.First(e => e.Message.StartsWith("Event ", StringComparison.Ordinal)).Metadata!.Value.GetProperty("User")
            .GetProperty("Name").GetString());
    }
}
