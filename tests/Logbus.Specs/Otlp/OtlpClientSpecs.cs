using System.Diagnostics;
using Logbus.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using Serilog;
using Serilog.Events;
using Serilog.Sinks.OpenTelemetry;

namespace Logbus.Specs.Otlp;

/// <summary>
/// The real OpenTelemetry clients from NuGet, configured as an application would, ship to the Api's OTLP ports: each
/// sends N records and N are stored with their level, rendered message, metadata, trace and span ids and source.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class OtlpClientSpecs(OtlpApi api) : IClassFixture<OtlpApi>
{
    private const int Count = 300;

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task The_dotnet_exporter_behind_ILogger_ships_every_record_with_template_scope_exception_and_trace(OtlpExportProtocol protocol)
    {
        var service = $"ilogger-{protocol}".ToLowerInvariant();
        ActivityTraceId traceId;
        ActivitySpanId spanId;
        using var activities = Listen("OtlpClientSpecs.ILogger");
        using var source = new ActivitySource("OtlpClientSpecs.ILogger");
        await using (var provider = LoggingTo(service, protocol))
        {
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Shop.Orders");
            using (logger.BeginScope(new Dictionary<string, object> { ["Tenant"] = "acme" }))
            using (var request = source.StartActivity("checkout"))
            {
                (traceId, spanId) = (request!.TraceId, request.SpanId);
                try
                {
                    throw new InvalidOperationException("card declined");
                }
                catch (InvalidOperationException e)
                {
                    logger.LogError(e, "Payment {PaymentId} for {Amount} EUR failed", "pay-1", 12.5);
                }
            }

            for (var i = 1; i < Count; i++)
            {
                logger.Log((LogLevel)(i % 6), "Order {OrderId} shipped to {City} ({Express})", i, "Oslo", i % 2 == 0);
            }
        }

        var events = await api.EventsOfAsync(service);
        Assert.Equal(Count, events.Count);
        var payment = Assert.Single(events, e => e.Message == "Payment pay-1 for 12.5 EUR failed");
        Assert.Equal(("ERROR", traceId.ToString(), spanId.ToString()), (payment.Level, payment.TraceId, payment.SpanId));
        Assert.StartsWith("System.InvalidOperationException: card declined", payment.Exception, StringComparison.Ordinal);
        Assert.Contains(nameof(The_dotnet_exporter_behind_ILogger_ships_every_record_with_template_scope_exception_and_trace), payment.Exception,
            StringComparison.Ordinal);
        var metadata = payment.Metadata!.Value;
        Assert.Equal("pay-1", metadata.GetProperty("PaymentId").GetString());
        Assert.Equal(12.5, metadata.GetProperty("Amount").GetDouble());
        Assert.Equal("acme", metadata.GetProperty("Tenant").GetString());
        Assert.Equal("Shop.Orders", metadata.GetProperty("scope").GetProperty("name").GetString());
        Assert.Equal(service, metadata.GetProperty("resource").GetProperty("service.name").GetString());
        var order = Assert.Single(events, e => e.Message == "Order 7 shipped to Oslo (False)");
        Assert.Equal(7, order.Metadata!.Value.GetProperty("OrderId").GetInt32());
        Assert.False(order.Metadata!.Value.GetProperty("Express").GetBoolean());
        Assert.Equal(["DEBUG", "ERROR", "FATAL", "INFO", "TRACE", "WARN"], events.Select(e => e.Level).Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(OtlpProtocol.HttpProtobuf)]
    [InlineData(OtlpProtocol.Grpc)]
    public async Task Serilog_Sinks_OpenTelemetry_ships_every_event(OtlpProtocol protocol)
    {
        var service = $"serilog-{protocol}".ToLowerInvariant();
        ActivityTraceId traceId;
        using var activities = Listen("OtlpClientSpecs.Serilog");
        using var source = new ActivitySource("OtlpClientSpecs.Serilog");
        await using (var logger = new LoggerConfiguration()
                         .MinimumLevel.Verbose()
                         .WriteTo.OpenTelemetry(o =>
                         {
                             o.Endpoint = protocol == OtlpProtocol.Grpc
                                 ? api.GrpcEndpoint.ToString()
                                 : new Uri(api.HttpEndpoint, "/v1/logs").ToString();
                             o.Protocol = protocol;
                             o.ResourceAttributes = new Dictionary<string, object> { ["service.name"] = service };
                         })
                         .CreateLogger())
        {
            using (var request = source.StartActivity("checkout"))
            {
                traceId = request!.TraceId;
                logger.Warning("Payment {PaymentId} declined", "pay-2");
            }

            for (var i = 1; i < Count; i++)
            {
                logger.Write((LogEventLevel)(i % 6), "Event {Number} of {Total}", i, Count);
            }
        }

        var events = await api.EventsOfAsync(service);
        Assert.Equal(Count, events.Count);
        // The sink sends the message Serilog rendered, with its template in message_template.text.
        var payment = Assert.Single(events, e => e.Message == "Payment pay-2 declined");
        Assert.Equal(("WARN", traceId.ToString()), (payment.Level, payment.TraceId));
        Assert.Equal("pay-2", payment.Metadata!.Value.GetProperty("PaymentId").GetString());
        Assert.Equal("Payment {PaymentId} declined", payment.Metadata!.Value.GetProperty("message_template.text").GetString());
        Assert.Equal(12, Assert.Single(events, e => e.Message == "Event 12 of 300").Metadata!.Value.GetProperty("Number").GetInt32());
        Assert.Equal(["DEBUG", "ERROR", "FATAL", "INFO", "TRACE", "WARN"], events.Select(e => e.Level).Distinct().Order(StringComparer.Ordinal));
    }

    private ServiceProvider LoggingTo(string service, OtlpExportProtocol protocol)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddOpenTelemetry(o =>
            {
                o.IncludeScopes = true;
                o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service));
                o.AddOtlpExporter(exporter =>
                {
                    exporter.Protocol = protocol;
                    // An endpoint given in code is used as it is: OTLP/HTTP's path is the caller's to add.
                    exporter.Endpoint = protocol == OtlpExportProtocol.Grpc ? api.GrpcEndpoint : new Uri(api.HttpEndpoint, "/v1/logs");
                });
            }));
        return services.BuildServiceProvider();
    }

    private static ActivityListener Listen(string name)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
