using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Logbus.ServiceDefaults.Monitoring;

/// <summary>
/// Starts prometheus-net's export of .NET meters (Logbus's own, MassTransit's, Npgsql's, the rider's, ASP.NET Core's)
/// when the service starts. prometheus-net sets up its default collectors, the meter adapter among them, only before its
/// first scrape, and the adapter sees only measurements made after that: without this, every consume, send or dead
/// letter before Prometheus first came by would be missing, and a counter that moved only then would not exist at all.
/// </summary>
internal sealed class MeterExportStarter(IConfiguration configuration) : IHostedService
{
    /// <summary>Exports ASP.NET Core's own HTTP meters too (<see cref="IsFrameworkHttpMeter"/>); off by default.</summary>
    public const string FrameworkHttpMetersSetting = "Monitoring:ExportFrameworkHttpMeters";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var frameworkHttp = configuration.GetValue<bool>(FrameworkHttpMetersSetting);
        // Takes effect only before the first collection, which follows.
        Metrics.ConfigureMeterAdapter(options =>
        {
            options.ResolveHistogramBuckets = BucketsOf;
            options.InstrumentFilterPredicate = instrument => frameworkHttp || !IsFrameworkHttpMeter(instrument.Meter.Name);
        });
        return Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);
    }

    /// <summary>
    /// ASP.NET Core's and Kestrel's meters measure every request (duration, active requests, rate-limiter leases,
    /// connections), and the adapter looks up a labelled series for each measurement (the adapter was 13 % of the Api's
    /// busy samples under single POSTs; bench/README). prometheus-net's HTTP middleware already exports the request counts
    /// and durations the dashboards read (<c>http_requests_received_total</c>, <c>http_request_duration_seconds</c>).
    /// </summary>
    public static bool IsFrameworkHttpMeter(string meterName) =>
        meterName.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A Logbus histogram's buckets are the boundaries its instrument advises; other libraries' histograms keep the
    /// adapter's default, as before Logbus's own metrics moved to meters.
    /// </summary>
    private static double[] BucketsOf(Instrument instrument) =>
        instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { } boundaries } && LogbusMeters.Owns(instrument.Meter)
            ? [.. boundaries]
            : MeterAdapterOptions.DefaultHistogramBuckets;
}
