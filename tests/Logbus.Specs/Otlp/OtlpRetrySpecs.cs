using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
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
        var busyBefore = await BusyAsync(metrics);

        // The one OTLP slot is taken by a request whose body has not finished arriving.
        var held = new Pipe();
        var holder = new StreamContent(held.Reader.AsStream());
        holder.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var holderClient = new HttpClient();
        var holding = holderClient.PostAsync(new Uri(api.HttpEndpoint, "/v1/logs"), holder);
        await held.Writer.FlushAsync();

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
            await Eventually.TrueAsync(async () => await BusyAsync(metrics) >= busyBefore + 2, TimeSpan.FromSeconds(20),
                "the exporter was refused twice with 503 while the slot was held");
            Assert.Empty(await api.EventsOfAsync(service));

            await held.Writer.CompleteAsync();
            Assert.Equal(HttpStatusCode.OK, (await holding).StatusCode);
            Assert.True(await flushing, "the exporter's flush succeeded after its retries");
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"Attempted record {i}"), (await api.EventsOfAsync(service)).Select(e => e.Message));
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
