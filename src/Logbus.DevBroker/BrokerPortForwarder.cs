using System.Net;
using System.Net.Sockets;

namespace Logbus.DevBroker;

/// <summary>
/// Listens on a port of its own and forwards every connection to the mock broker, whose own port is whatever the
/// kernel gave it. A restarted dev broker asked for the same port comes back where the services left it, so their
/// Kafka clients reconnect without new settings.
/// </summary>
internal sealed class BrokerPortForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _broker;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    private BrokerPortForwarder(TcpListener listener, IPEndPoint broker)
    {
        _listener = listener;
        _broker = broker;
        _accepting = AcceptAsync();
    }

    /// <summary>The port it listens on: the one asked for, or the one the kernel gave for port 0.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Binds <paramref name="port"/> on 127.0.0.1; a port in use throws <see cref="SocketException"/>.</summary>
    public static BrokerPortForwarder Start(int port, string brokerAddress)
    {
        var broker = IPEndPoint.Parse(brokerAddress);
        var listener = new TcpListener(IPAddress.Loopback, port);
        // Rebinding right after a crash must not wait for the old connections' TIME_WAIT; two listeners stay impossible.
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        return new BrokerPortForwarder(listener, broker);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(_broker, _stopping.Token);
                var fromClient = client.GetStream().CopyToAsync(upstream.GetStream(), _stopping.Token);
                var toClient = upstream.GetStream().CopyToAsync(client.GetStream(), _stopping.Token);
                // Either side closing ends the pair: disposing both closes the other direction too.
                await Task.WhenAny(fromClient, toClient);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // A client or the broker went away; the connection ends here like a direct one would.
            }
        }
    }
}
