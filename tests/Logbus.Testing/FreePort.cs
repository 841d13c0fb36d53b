using System.Net;
using System.Net.Sockets;

namespace Logbus.Testing;

/// <summary>
/// Ports for the specs' own servers. Picked below the kernel's ephemeral range, so no outgoing connection (a Kafka or
/// PostgreSQL client of another spec) takes one between the pick and the bind, and never the same one twice in a run:
/// a port closed again after the probe is free to the next probe, and two services given one port answer each other's
/// health checks. <c>./logbus</c> run by a spec picks its own ports from <see cref="ScriptRange"/>, which this never uses.
/// </summary>
public static class FreePort
{
    private const int First = 20_000;
    /// <summary>Where <see cref="ScriptRange"/> starts.</summary>
    public const int ScriptFirst = 27_000;
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    /// <summary>The range to hand <c>./logbus</c> as <c>LOGBUS_PORT_RANGE</c>: the rest of the ports below the ephemeral range.</summary>
    public static string ScriptRange => $"{ScriptFirst}-{EphemeralStart() - 1}";

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now and that no earlier call returned.</summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var port = Random.Shared.Next(First, ScriptFirst);
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free TCP port on 127.0.0.1 between {First} and {ScriptFirst - 1} in 500 tries.");
    }

    /// <summary>Whether a listener can take <paramref name="port"/> on 127.0.0.1 right now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' '], 2)[0], out var low)
            ? low
            : 32_768;
    }
}
