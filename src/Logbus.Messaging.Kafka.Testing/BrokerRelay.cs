using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Logbus.Messaging.Kafka.Testing;

/// <summary>
/// A TCP relay on a port of the caller's choosing in front of a mock broker, which can only listen on a port the system
/// picks. A broker started again behind the same port is the same address to its clients, as a restarted Kafka is.
/// Stopping it closes every relayed connection, as a killed broker would.
/// </summary>
internal sealed class BrokerRelay : IDisposable
{
    private readonly TcpListener _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();

    private BrokerRelay(TcpListener listener, string target)
    {
        _listener = listener;
        var colon = target.LastIndexOf(':');
        _targetHost = target[..colon];
        _targetPort = int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0 for any) and relays each connection to <paramref name="target"/>.</summary>
    public static BrokerRelay Start(int port, string target)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        var relay = new BrokerRelay(listener, target);
        _ = Task.Run(relay.AcceptAsync);
        return relay;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var client in _open.Keys)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        _open[client] = 0;
        _open[upstream] = 0;
        try
        {
            await upstream.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            using var one = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var down = client.GetStream().CopyToAsync(upstream.GetStream(), one.Token);
            var up = upstream.GetStream().CopyToAsync(client.GetStream(), one.Token);
            await Task.WhenAny(down, up);
            await one.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Either side went away: the other is closed below.
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(upstream, out _);
            client.Dispose();
        }
    }
}
