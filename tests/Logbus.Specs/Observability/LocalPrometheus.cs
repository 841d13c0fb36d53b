using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Observability;

/// <summary>
/// Debian's <c>prometheus</c> as a private process on a free port, scraping the given services every second and
/// loading the repository's alert rules; queried through its HTTP API. <c>./logbus test</c> installs the package.
/// </summary>
internal sealed class LocalPrometheus : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private LocalPrometheus(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public static string Tool(string name) =>
        new[] { $"/usr/bin/{name}", $"/usr/local/bin/{name}" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException(
            $"{name} is missing: ./logbus test installs Debian's prometheus package (apt-get install prometheus).");

    /// <summary>Writes a configuration scraping each job's targets, checks it with promtool, and starts Prometheus.</summary>
    public static async Task<LocalPrometheus> StartAsync(IReadOnlyDictionary<string, Uri> jobs, string rulesFile)
    {
        var folder = Path.Combine(RepositoryPaths.RunFolder, "prometheus-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "prometheus.yml");
        // JSON is YAML: the configuration needs no YAML writer.
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["global"] = new Dictionary<string, string> { ["scrape_interval"] = "1s", ["evaluation_interval"] = "1s" },
            ["rule_files"] = new[] { rulesFile },
            ["scrape_configs"] = jobs.Select(j => new Dictionary<string, object>
            {
                ["job_name"] = j.Key,
                ["static_configs"] = new[] { new Dictionary<string, object> { ["targets"] = new[] { j.Value.Authority } } },
            }).ToArray(),
        }));
        var check = await RunAsync(Tool("promtool"), "check", "config", config);
        Assert.True(check.ExitCode == 0, "promtool check config:\n" + check.Output);

        var port = FreePort.Next();
        var info = new ProcessStartInfo(Tool("prometheus")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(folder, "data"),
                     "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--log.level=warn",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = SharedServers.Track(new OwnedProcess(Process.Start(info)!)).Process;
        var log = Path.Combine(folder, "prometheus.log");
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var prometheus = new LocalPrometheus(process, folder, port);
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(process.HasExited, $"prometheus exited while starting; see {log}");
            try
            {
                return (await prometheus.Client.GetAsync("/-/ready")).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "Prometheus is ready");
        return prometheus;
    }

    /// <summary>An instant query; the parsed answer, or the error Prometheus gives (a parse error, for one).</summary>
    public async Task<(JsonElement? Result, string? Error)> QueryAsync(string promQl)
    {
        using var response = await Client.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promQl));
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.GetProperty("status").GetString() == "success"
            ? (answer.RootElement.GetProperty("data").GetProperty("result").Clone(), null)
            : (null, answer.RootElement.GetProperty("errorType").GetString() + ": " + answer.RootElement.GetProperty("error").GetString());
    }

    /// <summary>Every metric name Prometheus has stored.</summary>
    public async Task<HashSet<string>> MetricNamesAsync()
    {
        using var answer = JsonDocument.Parse(await Client.GetStringAsync("/api/v1/label/__name__/values"));
        return [.. answer.RootElement.GetProperty("data").EnumerateArray().Select(n => n.GetString()!)];
    }

    /// <summary>The alerting rules Prometheus loaded, with each one's expression as it parsed it and its health.</summary>
    public async Task<List<(string Name, string Query, string Health, string? LastError, string State)>> AlertRulesAsync()
    {
        using var answer = JsonDocument.Parse(await Client.GetStringAsync("/api/v1/rules?type=alert"));
        return [.. answer.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("query").GetString()!, r.GetProperty("health").GetString()!,
                r.TryGetProperty("lastError", out var e) ? e.GetString() : null, r.GetProperty("state").GetString()!))];
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        if (Environment.GetEnvironmentVariable("LOGBUS_KEEP_TEST_DATA") != "1")
        {
            try
            {
                Directory.Delete(Path.Combine(_folder, "data"), recursive: true);
            }
            catch (IOException)
            {
                // Left for ./logbus test's clean-up.
            }
        }
    }

    private static void Append(string file, string? line)
    {
        if (line is not null)
        {
            lock (file)
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }

    private sealed class OwnedProcess(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
        }
    }
}
