using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Logbus.ServiceDefaults.Monitoring;

/// <summary>
/// Starts prometheus-net's export of .NET meters (Logbus's own, MassTransit's, Npgsql's, the rider's, ASP.NET Core's)
/// when the service starts. prometheus-net sets up its default collectors, the meter adapter among them, only before its
/// first scrape, and the adapter sees only measurements made after that: without this, every consume, send or dead
/// letter before Prometheus first came by would be missing, and a counter that moved only then would not exist at all.
/// </summary>
internal sealed class MeterExportStarter : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Takes effect only before the first collection, which follows.
        Metrics.ConfigureMeterAdapter(options => options.ResolveHistogramBuckets = BucketsOf);
        return Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);
    }

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
