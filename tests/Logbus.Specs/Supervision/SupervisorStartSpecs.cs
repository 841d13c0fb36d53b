using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Logbus.Specs.Infrastructure;
using Xunit.Abstractions;

namespace Logbus.Specs.Supervision;

/// <summary>
/// How <c>./logbus up</c> starts and ends: ports taken between the pick and the bind, a service port in use, a process
/// that keeps crashing, and SIGTERM, after which nothing it started is left.
/// </summary>
[Trait("Kind", "Chaos")]
[Collection(LogbusUpCollection.Name)]
public sealed class SupervisorStartSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Ports_taken_after_the_pick_are_picked_again_so_the_stack_starts_or_it_fails_naming_the_port()
    {
        // Half of a narrow range is bound, not listening, by a program that does not ask for SO_REUSEADDR (.NET always
        // does): the pick's probe finds those ports free and the bind does not, as when someone takes a port in between.
        var first = FreeRange(10);
        var heldPorts = Enumerable.Range(first, 5).ToList();
        using var holder = HoldPorts(heldPorts);
        await using var up = LogbusUp.Start(("LOGBUS_PORT_RANGE", $"{first}-{first + 9}"));
        await Eventually.TrueAsync(() => up.Output.Contains("Logbus is up", StringComparison.Ordinal) || up.HasExited,
            TimeSpan.FromMinutes(3), "./logbus up is up or has failed");
        output.WriteLine(up.Output);
        if (up.HasExited)
        {
            Assert.NotEqual(0, up.ExitCode);
            Assert.Contains(heldPorts, port => up.Output.Contains(port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        else
        {
            foreach (var name in new[] { "postgres", "redis", "kafka" })
            {
                Assert.DoesNotContain(up.Port(name), heldPorts);
            }
        }
    }

    [Fact]
    public async Task A_service_port_in_use_fails_start_up_naming_the_port_and_the_service()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        await using var up = LogbusUp.Start(("LOGBUS_API_PORT", port));

        Assert.True(await up.WaitForExitAsync(TimeSpan.FromMinutes(3)), up.Output);

        Assert.NotEqual(0, up.ExitCode);
        Assert.Contains($"port {port} (for api) is in use", up.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(up.AllPids(), LogbusUp.IsAlive);
    }

    [Fact]
    public async Task A_process_that_keeps_crashing_is_given_up_on_the_others_keep_serving_and_SIGTERM_leaves_nothing_behind()
    {
        await using var up = LogbusUp.Start(("LOGBUS_RESTART_LIMIT", "3"), ("LOGBUS_RESTART_WINDOW", "300"));
        await up.WaitUntilUpAsync();
        await using var load = new LightLoad(up, SpecNames.Unique("give-up"));

        var killed = new List<int>();
        for (var crash = 1; crash <= 3; crash++)
        {
            int? pid = null;
            // A killed process can look alive for a moment after the signal: only a new pid is the restarted worker.
            await Eventually.TrueAsync(() => (pid = up.Pid("worker")) is { } p && !killed.Contains(p) && LogbusUp.IsAlive(p),
                TimeSpan.FromSeconds(30), $"the worker runs before crash {crash}");
            LogbusUp.Signal(pid!.Value, "KILL");
            killed.Add(pid.Value);
        }

        await Eventually.TrueAsync(() => Task.FromResult(up.Output.Contains("giving up on worker", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the supervisor gives up on the worker", () => up.Output[^Math.Min(3000, up.Output.Length)..]);
        var (_, status) = up.Run("status");
        output.WriteLine(status);
        Assert.Matches(@"(?m)^worker +- .* 3 +gave up", status);
        Assert.Null(up.Pid("worker"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await load.StopAsync();
        foreach (var other in new[] { "api", "query" })
        {
            Assert.True(load.Failures(other) == 0, $"{other} failed {load.Failures(other)} requests; the last: {load.LastFailure(other)}");
        }

        var pids = up.AllPids();
        LogbusUp.Signal(up.ProcessId, "TERM");
        Assert.True(await up.WaitForExitAsync(TimeSpan.FromSeconds(90)), up.Output);
        Assert.Equal(0, up.ExitCode);
        Assert.DoesNotContain(pids, LogbusUp.IsAlive);
        Assert.False(File.Exists(Path.Combine(up.Stack, "stack.env")), "stack.env names a stack that is gone");
    }

    private static int FreeRange(int length)
    {
        var random = new Random();
        while (true)
        {
            // Among the ports ./logbus picks from, which no other spec's server is given.
            var first = random.Next(FreePort.ScriptFirst, 32_000 - length);
            if (Enumerable.Range(first, length).All(FreePort.IsFree))
            {
                return first;
            }
        }
    }

    /// <summary>Perl (Debian's perl-base is always there) binds the ports without SO_REUSEADDR and never listens.</summary>
    private static HeldPorts HoldPorts(IEnumerable<int> ports)
    {
        var info = new ProcessStartInfo("perl") { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add("-MSocket");
        info.ArgumentList.Add("-e");
        info.ArgumentList.Add("""
            my @held;
            for my $port (@ARGV) {
                socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
                bind($s, sockaddr_in($port, inet_aton("127.0.0.1"))) or die "bind $port: $!";
                push @held, $s;
            }
            $| = 1; print "held\n"; sleep 600;
            """);
        foreach (var port in ports)
        {
            info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("perl did not start");
        Assert.Equal("held", process.StandardOutput.ReadLine());
        return new HeldPorts(process);
    }

    private sealed class HeldPorts(Process process) : IDisposable
    {
        public void Dispose()
        {
            process.Kill();
            process.WaitForExit();
            process.Dispose();
        }
    }
}
