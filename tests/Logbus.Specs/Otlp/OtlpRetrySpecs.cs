extern alias api;

using System.Net;
using System.Net.Sockets;
using System.Text;
using api::Logbus.Api.Otlp.Wire;
using Logbus.Specs.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace Logbus.Specs.Otlp;

/// <summary>
/// Back-pressure an OpenTelemetry exporter survives: while the OTLP bulkhead is full the Api answers 503 with a
/// Retry-After of a second, and the .NET exporter with <c>OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory</c> retries
/// until its batch is stored, well within its 10 s deadline.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class OtlpRetrySpecs(OtlpRetrySpecs.BusyApi api) : IClassFixture<OtlpRetrySpecs.BusyApi>
{
    private const int Count = 200;

    [Fact]
    public async Task The_dotnet_exporter_retries_503_with_Retry_After_until_every_record_is_stored()
    {
        const string service = "retrying-app";
        using var metrics = new HttpClient { BaseAddress = api.Host.Client.BaseAddress };

        // The one OTLP slot is taken by a request whose body has not finished arriving: its headers and the first of its
        // two bytes are sent over a socket of its own, the second byte only once the exporter has been refused. Should a
        // probe have taken the slot first, the holder was refused (it has an answer waiting) and is sent again.
        TcpClient? holder = null;
        using var probeClient = new HttpClient();
        var probed = "";
        await Eventually.TrueAsync(async () =>
        {
            if (holder is null || holder.Available > 0)
            {
                holder?.Dispose();
                holder = await HoldSlotAsync();
            }

            using var probe = await probeClient.PostAsync(new Uri(api.HttpEndpoint, "/v1/logs"),
                OtlpRouteSpecs.Protobuf(new ExportLogsServiceRequest()));
            probed = $"{(int)probe.StatusCode} Retry-After {probe.Headers.RetryAfter}";
            return probe.StatusCode == HttpStatusCode.ServiceUnavailable && probe.Headers.RetryAfter?.ToString() == "1";
        }, TimeSpan.FromSeconds(20), "the slot is held: another request gets 503 with Retry-After: 1", () => probed);
        using var holding = holder!;
        var held = holding.GetStream();
        var busyBefore = await BusyAsync(metrics);

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory" })
            .Build());
        services.AddLogging(logging => logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service));
            o.AddOtlpExporter(exporter =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(api.HttpEndpoint, "/v1/logs");
                // The exporter gives up on a batch once its deadline (10 s by default) passes across retries. Here the slot is
                // held until two refusals are seen on /metrics, which on a loaded CI machine can itself take seconds.
                exporter.TimeoutMilliseconds = 30_000;
            });
        }));
        await using (var provider = services.BuildServiceProvider())
        {
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Retrying");
            for (var i = 0; i < Count; i++)
            {
                logger.LogInformation("Attempted record {Number}", i);
            }

            var flushing = Task.Run(() => provider.GetRequiredService<LoggerProvider>().ForceFlush(20_000));
            var busy = 0.0;
            await Eventually.TrueAsync(async () => (busy = await BusyAsync(metrics)) >= busyBefore + 2, TimeSpan.FromSeconds(20),
                "the exporter was refused twice with 503 while the slot was held", () => $"{busy - busyBefore} refused");
            Assert.Empty(await api.EventsOfAsync(service));

            // The held body completes as an ExportLogsServiceRequest with one empty ResourceLogs.
            await held.WriteAsync(new byte[] { 0 });
            var answer = await new StreamReader(held).ReadLineAsync();
            Assert.Equal("HTTP/1.1 200 OK", answer);
            Assert.True(await flushing, "the exporter's flush succeeded after its retries");
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"Attempted record {i}"), (await api.EventsOfAsync(service)).Select(e => e.Message));
    }

    private async Task<TcpClient> HoldSlotAsync()
    {
        var holder = new TcpClient();
        await holder.ConnectAsync(api.HttpEndpoint.Host, api.HttpEndpoint.Port);
        await holder.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/logs HTTP/1.1\r\nHost: {api.HttpEndpoint.Authority}\r\nContent-Type: application/x-protobuf\r\n" +
            "Content-Length: 2\r\nConnection: close\r\n\r\n\n"));
        await Task.Delay(200);
        return holder;
    }

    private static async Task<double> BusyAsync(HttpClient client) =>
        await PrometheusScrape.SumAsync(client, "logbus_ingest_rejected_requests_total", ("route", "/v1/logs"), ("reason", "busy")) ?? 0;

    /// <summary>An Api with one OTLP request at a time and no waiting for a turn.</summary>
    public sealed class BusyApi : OtlpApi
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Ingest:Bulkheads:Otlp"] = "1",
            ["Ingest:Bulkheads:WaitMilliseconds"] = "0",
        };
    }
}
