using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Foundation;

/// <summary>
/// The dev broker as <c>./logbus up</c> runs it: its control endpoint binds port 0 and reports the port it got, and
/// the bootstrap file <c>./logbus</c> waits for appears only once everything listens.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class DevBrokerProcessSpecs
{
    [Fact]
    public async Task Asked_for_port_0_it_reports_the_control_port_it_got_and_writes_the_bootstrap_file_last()
    {
        var folder = Folder();
        using var broker = Start("http://127.0.0.1:0", folder);

        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(Path.Combine(folder, "kafka.bootstrap"))), TimeSpan.FromSeconds(30),
            "the broker writes its bootstrap file");

        var control = new Uri(await File.ReadAllTextAsync(Path.Combine(folder, "kafka.control")));
        Assert.Equal("127.0.0.1", control.Host);
        Assert.NotEqual(0, control.Port);
        using var client = new HttpClient { BaseAddress = control };
        var state = await client.GetFromJsonAsync<JsonElement>("/");
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(folder, "kafka.bootstrap")), state.GetProperty("bootstrapServers").GetString());
    }

    [Fact]
    public async Task A_control_port_already_taken_stops_it_before_any_file_is_written()
    {
        var folder = Folder();
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        using var broker = Start($"http://127.0.0.1:{port}", folder);

        Assert.True(broker.Process.WaitForExit(TimeSpan.FromSeconds(30)),
            $"the broker exits when its control endpoint cannot bind to {port}; it wrote: {string.Join(" | ", broker.Output)}");
        await Task.Delay(100);
        Assert.NotEqual(0, broker.Process.ExitCode);
        Assert.False(File.Exists(Path.Combine(folder, "kafka.bootstrap")), "no bootstrap file: ./logbus must not think it started");
        Assert.False(File.Exists(Path.Combine(folder, "kafka.control")));
    }

    private static string Folder()
    {
        var folder = Path.Combine(RepositoryPaths.RunFolder, SpecNames.Unique("devbroker-process"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static BrokerProcess Start(string urls, string folder)
    {
        var dll = Path.Combine(RepositoryPaths.Root, "src", "Logbus.DevBroker", "bin", RepositoryPaths.Configuration, "net10.0",
            "Logbus.DevBroker.dll");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     dll, "--urls", urls,
                     "--BootstrapFile", Path.Combine(folder, "kafka.bootstrap"), "--ControlFile", Path.Combine(folder, "kafka.control"),
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the dev broker did not start");
        var broker = new BrokerProcess(process);
        process.OutputDataReceived += (_, e) => broker.Output.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => broker.Output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return broker;
    }

    private sealed class BrokerProcess(Process process) : IDisposable
    {
        public Process Process => process;

        public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; } = new();

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }

            process.Dispose();
        }
    }
}
