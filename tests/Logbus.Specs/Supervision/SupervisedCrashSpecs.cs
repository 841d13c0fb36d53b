using System.Globalization;
using Logbus.Specs.Infrastructure;
using Xunit.Abstractions;

namespace Logbus.Specs.Supervision;

/// <summary>
/// <c>./logbus up</c> under a light load while its processes are SIGKILLed one at a time: the supervisor restarts the
/// one that died, the others never stop serving, and what the Api accepted is stored exactly once.
/// </summary>
[Trait("Kind", "Chaos")]
[Collection(LogbusUpCollection.Name)]
public sealed class SupervisedCrashSpecs(SupervisedStack stack, ITestOutputHelper output) : IClassFixture<SupervisedStack>
{
    private static readonly TimeSpan BackWithin = TimeSpan.FromSeconds(15);

    /// <summary>Longer than <see cref="BackWithin"/>, so a slow return fails with the time it took.</summary>
    private static readonly TimeSpan WaitAtMost = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    [InlineData("query")]
    public async Task A_killed_service_is_back_and_ready_within_15_s_while_the_others_serve_and_each_accepted_event_is_stored_once(
        string service)
    {
        var up = stack.Up;
        await stack.AllReadyAsync(WaitAtMost);
        await using var traffic = new LightLoad(up, SpecNames.Unique("kill-" + service));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var before = up.Pid(service)!.Value;
        LogbusUp.Signal(before, "KILL");
        var back = await up.WaitBackAsync(service, before, () => stack.ReadyAsync(service), WaitAtMost);
        output.WriteLine($"{service} was back and ready {back.TotalSeconds:0.0} s after its SIGKILL");
        var load = File.ReadAllText("/proc/loadavg").Trim();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await traffic.StopAsync();

        foreach (var other in LogbusUp.Services.Where(s => s != service))
        {
            Assert.True(traffic.Failures(other) == 0,
                $"{other} failed {traffic.Failures(other)} requests while {service} was killed; the last: {traffic.LastFailure(other)}");
        }

        Assert.Contains($"{service} exited (killed by SIGKILL); restarting it", up.Output, StringComparison.Ordinal);
        await stack.AssertStoredOnceAsync(traffic);
        Assert.True(back <= BackWithin, $"{service} was back and ready {back.TotalSeconds:0.0} s after its SIGKILL, not within "
            + $"{BackWithin.TotalSeconds} s (load average {load})");
    }

    [Fact]
    public async Task A_killed_dev_broker_is_back_on_its_port_within_15_s_and_the_services_become_ready_again()
    {
        var up = stack.Up;
        await stack.AllReadyAsync(WaitAtMost);
        var bootstrap = await File.ReadAllTextAsync(Path.Combine(up.Stack, "kafka.bootstrap"));
        await using var load = new LightLoad(up, SpecNames.Unique("kill-kafka"));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var before = up.Pid("kafka")!.Value;
        LogbusUp.Signal(before, "KILL");
        var back = await up.WaitBackAsync("kafka", before,
            () => Task.FromResult(File.Exists(Path.Combine(up.Stack, "kafka.bootstrap"))), WaitAtMost);
        Assert.True(back <= BackWithin, $"the dev broker was back {back.TotalSeconds:0.0} s after its SIGKILL, not within "
            + $"{BackWithin.TotalSeconds} s (load average {File.ReadAllText("/proc/loadavg").Trim()})");
        Assert.Equal(bootstrap, await File.ReadAllTextAsync(Path.Combine(up.Stack, "kafka.bootstrap")));
        await stack.AllReadyAsync(BackWithin);
        output.WriteLine($"the dev broker was back {back.TotalSeconds:0.0} s after its SIGKILL, on {bootstrap}");
        await load.StopAsync();

        // The Api accepts into its outbox and Query searches PostgreSQL while the broker is away.
        foreach (var other in new[] { "api", "query" })
        {
            Assert.True(load.Failures(other) == 0,
                $"{other} failed {load.Failures(other)} requests while the dev broker was killed; the last: {load.LastFailure(other)}; "
                + $"the supervisor said: {string.Join(" | ", up.Output.Split('\n').Where(l => l.Contains(" exited", StringComparison.Ordinal)))}");
        }

        Assert.Contains("kafka exited (killed by SIGKILL); restarting it", up.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Events the broker held, not yet stored, when it died: the Worker is frozen (SIGSTOP) while the outbox delivers
    /// them, so the restarted broker has lost them and only a replay brings them back.
    /// </summary>
    [Fact]
    public async Task Every_event_accepted_around_a_dev_broker_restart_is_stored_exactly_once()
    {
        var up = stack.Up;
        await stack.AllReadyAsync(WaitAtMost);
        await using var load = new LightLoad(up, SpecNames.Unique("broker-loss"));
        var worker = up.Pid("worker")!.Value;
        LogbusUp.Signal(worker, "STOP");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await Eventually.TrueAsync(async () => await stack.OutboxBacklogAsync() == 0, TimeSpan.FromSeconds(15),
                "the outbox delivered the accepted events to the broker");
            var broker = up.Pid("kafka")!.Value;
            LogbusUp.Signal(broker, "KILL");
            await up.WaitBackAsync("kafka", broker, () => Task.FromResult(File.Exists(Path.Combine(up.Stack, "kafka.bootstrap"))), BackWithin);
        }
        finally
        {
            LogbusUp.Signal(worker, "CONT");
        }

        await stack.AllReadyAsync(WaitAtMost);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await load.StopAsync();
        await stack.AssertStoredOnceAsync(load);

        // Positions in the old log would skip the replayed records: the Worker noticed the new cluster and read from the start
        // (once its group rejoined, which may come after the events were stored: positions past the new log's end reset).
        await Eventually.TrueAsync(() => Task.FromResult(up.Output.Contains("is assigned partitions by another cluster", StringComparison.Ordinal)),
            WaitAtMost, "the Worker noticed it consumes from another cluster");
    }

    [Fact]
    public async Task A_second_up_and_a_stack_while_one_runs_say_so_and_leave_it_running_and_serving()
    {
        var up = stack.Up;
        await stack.AllReadyAsync(WaitAtMost);
        var names = new[] { "postgres", "redis", "kafka", "api", "worker", "query" };
        var before = names.ToDictionary(n => n, n => up.Pid(n));

        foreach (var command in new[] { "up", "stack" })
        {
            var (exitCode, printed) = up.Run(command);
            Assert.NotEqual(0, exitCode);
            Assert.Contains("a stack is already running and was left as it is", printed, StringComparison.Ordinal);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(before, names.ToDictionary(n => n, n => up.Pid(n)));
        Assert.All(before.Values, pid => Assert.True(LogbusUp.IsAlive(pid!.Value)));
        Assert.False(up.HasExited, up.Output);
        await stack.AllReadyAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Status_shows_each_process_with_its_pid_port_uptime_restarts_and_readiness()
    {
        var up = stack.Up;
        await stack.AllReadyAsync(WaitAtMost);

        var (exitCode, printed) = up.Run("status");

        Assert.True(exitCode == 0, printed);
        output.WriteLine(printed);
        var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("PROCESS", lines[0], StringComparison.Ordinal);
        foreach (var name in new[] { "postgres", "redis", "kafka", "api", "worker", "query" })
        {
            var line = Assert.Single(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal));
            var columns = System.Text.RegularExpressions.Regex.Match(line,
                @"^(?<name>\w+) +(?<pid>\d+) +(?<port>\d+)[^ ]*(?: \(control \d+\))? +(?<uptime>\d+[smh]\w*) +(?<restarts>\d+) +(?<state>.+)$");
            Assert.True(columns.Success, line);
            Assert.Equal(up.Pid(name)!.Value.ToString(CultureInfo.InvariantCulture), columns.Groups["pid"].Value);
            Assert.Equal(up.Port(name).ToString(CultureInfo.InvariantCulture), columns.Groups["port"].Value);
            Assert.Equal("ready", columns.Groups["state"].Value);
        }
    }
}
