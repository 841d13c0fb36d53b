namespace Logbus.Specs.Supervision;

/// <summary>
/// The ports specs give their own servers: a stack of <c>./logbus up</c> once got one port for its Worker and for the
/// Api's OTLP listener, so the restarted Worker could never bind while the Api answered its health checks.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class FreePortSpecs
{
    [Fact]
    public void Ports_handed_out_are_never_the_same_twice_and_lie_below_the_ephemeral_range_and_outside_the_scripts_range()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0],
            System.Globalization.CultureInfo.InvariantCulture);

        var ports = Enumerable.Range(0, 300).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 1_024, Math.Min(ephemeralStart, FreePort.ScriptFirst) - 1));
        Assert.Equal($"{FreePort.ScriptFirst}-{ephemeralStart - 1}", FreePort.ScriptRange);
    }
}
