extern alias bench;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using bench::Logbus.Bench.Data;
using Logbus.Specs.Infrastructure;
using Logbus.Testing;
using Npgsql;

namespace Logbus.Specs.Query;

/// <summary>
/// <c>./logbus search</c> and <c>./logbus tail</c> against a running Query service (a process of its own), found through
/// <c>LOGBUS_URL</c> as an on-call person's shell would.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class TerminalSpecs : IAsyncLifetime
{
    private readonly DateTimeOffset _end = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute,
        TimeSpan.Zero).AddMinutes(-5);

    private SpecDatabase _db = null!;
    private ServiceProcess _query = null!;
    private List<GeneratedEvent> _events = [];

    public async Task InitializeAsync()
    {
        _events = [.. EventGenerator.Generate(5_000, _end, TimeSpan.FromHours(6))];
        _db = await SpecDatabase.CreateAsync();
        await QueryDataset.LoadAsync(_db, _events);
        _query = new ServiceProcess("Logbus.Query", RepositoryPaths.Configuration,
            ServiceSettings.With(ServiceSettings.For(_db), ("Cache:KeyPrefix", _db.Name + ":"), ("Tail:PollInterval", "00:00:00.200")));
        await _query.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _query.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Search_prints_every_matching_event_of_the_window_as_json_lines_newest_first()
    {
        const string filter = "@Level in ['ERROR', 'FATAL'] and http.status = 500 and not StartsWith(@Message, 'Connection')";
        var expected = _events
            .Where(e => e.Timestamp >= _end.AddHours(-3) && e.Level is "ERROR" or "FATAL" && e.HttpStatus == 500
                && !e.Message.StartsWith("Connection", StringComparison.Ordinal))
            .OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal).Select(e => e.Id).ToList();

        var (exit, output, error) = await LogbusAsync("search", filter, "--from", Time(_end.AddHours(-3)), "--to", Time(_end));

        Assert.True(exit == 0, error);
        var ids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!);
        QueryClient.SameSequence(expected, [.. ids], filter);
    }

    [Fact]
    public async Task Search_prints_csv_when_asked()
    {
        var (exit, output, error) = await LogbusAsync("search", "@Level = 'FATAL'", "--from", Time(_end.AddHours(-7)), "--format", "csv");

        Assert.True(exit == 0, error);
        var lines = output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,timestamp,level,source,message", lines[0], StringComparison.Ordinal);
        Assert.Equal(_events.Count(e => e.Level == "FATAL"), lines.Length - 1);
    }

    [Fact]
    public async Task A_malformed_filter_fails_with_the_column_of_the_problem()
    {
        var (exit, output, error) = await LogbusAsync("search", "@Level = 'ERROR' and");

        Assert.NotEqual(0, exit);
        Assert.Contains("At column 21", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_prints_new_matching_events_as_they_are_stored_and_no_others()
    {
        var printed = new List<string>();
        using var tail = Start("tail", "@Level = 'ERROR' and userId = 'tail-user'");
        tail.OutputDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                lock (printed)
                {
                    printed.Add(JsonDocument.Parse(e.Data).RootElement.GetProperty("id").GetString()!);
                }
            }
        };
        tail.BeginOutputReadLine();
        tail.BeginErrorReadLine();
        try
        {
            var n = 0;
            await Eventually.TrueAsync(async () =>
            {
                // Until the tail has started, what is stored is history; keep storing until some is shown.
                n++;
                await InsertAsync($"match-{n}", "ERROR", "tail-user");
                await InsertAsync($"other-level-{n}", "INFO", "tail-user");
                await InsertAsync($"other-user-{n}", "ERROR", "someone");
                lock (printed)
                {
                    return printed.Count >= 2;
                }
            }, TimeSpan.FromSeconds(60), "the tail printed stored matching events");
        }
        finally
        {
            tail.Kill(entireProcessTree: true);
        }

        lock (printed)
        {
            Assert.All(printed, id => Assert.StartsWith("match-", id, StringComparison.Ordinal));
            Assert.Equal(printed.Count, printed.Distinct().Count());
        }
    }

    private async Task InsertAsync(string id, string level, string user)
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO log_events (id, "timestamp", level, message, source, metadata, received_at)
            VALUES (@id, now(), @level, 'tailed', 'terminal', jsonb_build_object('userId', @user), now())
            """, connection);
        insert.Parameters.Add(new NpgsqlParameter<string>("id", id));
        insert.Parameters.Add(new NpgsqlParameter<string>("level", level));
        insert.Parameters.Add(new NpgsqlParameter<string>("user", user));
        await insert.ExecuteNonQueryAsync();
        await Task.Delay(300);
    }

    private static string Time(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "logbus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["LOGBUS_URL"] = _query.BaseAddress.ToString();
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("./logbus did not start");
    }

    private async Task<(int Exit, string Output, string Error)> LogbusAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
