using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Health;

namespace Logbus.Specs.Kafka;

/// <summary>
/// A service stops while the brokers are away: the rider's stop and the container's disposal both end the connectivity
/// monitor, in either order or at once, while its probe still waits on a broker that never answers. Neither may free the
/// probe's client under that request or twice; either aborted the whole process inside librdkafka.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ConnectivityMonitorShutdownSpecs
{
    public static TheoryData<string> Orders => ["stop, then dispose while stopping", "dispose, then stop", "both at once"];

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Stopping_and_disposing_the_monitor_while_its_probe_waits_on_a_silent_broker_ends_the_probe_once(string order)
    {
        // A broker that accepts connections and never answers: the probe's metadata request waits its whole timeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                accepted.Add(await silent.AcceptSocketAsync(stop.Token));
            }
        });
        var host = new KafkaHostSettings(null) { BootstrapServers = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}" };

        for (var round = 0; round < 3; round++)
        {
            var monitor = new KafkaConnectivityMonitor(host, TimeSpan.FromMinutes(1));
            monitor.Start();
            monitor.Report(new Error(ErrorCode.Local_AllBrokersDown, "spec: all brokers down"), "spec");

            // The probe starts a second after the report and then waits up to two seconds for an answer.
            var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
            while (!monitor.IsProbing && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.True(monitor.IsProbing, $"round {round}: the probe should be waiting on the silent broker");
            await Task.Delay(100 * round);

            switch (order)
            {
                case "stop, then dispose while stopping":
                    var stopping = monitor.StopAsync();
                    monitor.Dispose();
                    await stopping;
                    break;
                case "dispose, then stop":
                    monitor.Dispose();
                    await monitor.StopAsync();
                    break;
                default:
                    await Task.WhenAll(Task.Run(monitor.StopAsync), Task.Run(monitor.Dispose));
                    await monitor.StopAsync();
                    break;
            }

            Assert.False(monitor.IsRunning);
            Assert.False(monitor.IsProbing, $"round {round}: the stop returned with the probe still waiting on the broker");
        }

        await stop.CancelAsync();
        silent.Stop();
        await Record.ExceptionAsync(() => accepting);
        foreach (var socket in accepted)
        {
            socket.Dispose();
        }
    }
}
