using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Logbus.ServiceDefaults.Monitoring;

/// <summary>
/// Starts prometheus-net's export of .NET meters (MassTransit's, Npgsql's, the rider's, ASP.NET Core's) when the service
/// starts. prometheus-net sets up its default collectors, the meter adapter among them, only before its first scrape,
/// and the adapter sees only measurements made after that: without this, every consume, send or dead letter before
/// Prometheus first came by would be missing, and a counter that moved only then would not exist at all.
/// </summary>
internal sealed class MeterExportStarter : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
