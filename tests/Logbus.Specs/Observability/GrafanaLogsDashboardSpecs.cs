extern alias bench;

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using bench::Logbus.Bench.Data;
using Logbus.Specs.Infrastructure;
using Npgsql;

namespace Logbus.Specs.Observability;

/// <summary>
/// The Logs dashboard (<c>dashboards/grafana/logs.json</c>): a well-formed dashboard on the provisioned PostgreSQL data
/// source, whose SQL, with Grafana's macros and variables expanded as Grafana expands them, runs on PostgreSQL and
/// returns what a computation over the same generated events says.
/// </summary>
[Trait("Kind", "Integration")]
public sealed partial class GrafanaLogsDashboardSpecs : IAsyncLifetime
{
    private static readonly string[] Levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

    private readonly DateTimeOffset _end = new(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
    private SpecDatabase _db = null!;
    private List<GeneratedEvent> _events = [];

    private static string DashboardFile => Path.Combine(RepositoryPaths.Root, "dashboards", "grafana", "logs.json");

    private DateTimeOffset From => _end.AddHours(-1);

    public async Task InitializeAsync()
    {
        _events = [.. EventGenerator.Generate(20_000, _end.AddMinutes(30), TimeSpan.FromHours(2))];
        _db = await SpecDatabase.CreateAsync();
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await EventCopy.WriteAsync(connection, _events);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public void The_json_is_a_dashboard_on_the_provisioned_postgres_data_source_with_source_level_and_search_variables()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(DashboardFile));
        var dashboard = document.RootElement;
        var provisioned = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "dashboards", "provisioning", "datasources", "postgres.yml"));

        Assert.Equal("logbus-logs", dashboard.GetProperty("uid").GetString());
        Assert.True(dashboard.GetProperty("schemaVersion").GetInt32() >= 36);
        Assert.Contains("uid: logbus-postgres", provisioned, StringComparison.Ordinal);
        Assert.Contains("user: logbus_reader", provisioned, StringComparison.Ordinal);
        Assert.Contains("password: ${LOGBUS_READER_PASSWORD}", provisioned, StringComparison.Ordinal);
        var panels = dashboard.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(["logs", "timeseries"], panels.Select(p => p.GetProperty("type").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels)
        {
            var grid = panel.GetProperty("gridPos");
            Assert.All(new[] { "h", "w", "x", "y" }, key => Assert.True(grid.GetProperty(key).GetInt32() >= 0));
            Assert.True(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32() <= 24);
            Assert.Equal("logbus-postgres", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var target = Assert.Single(panel.GetProperty("targets").EnumerateArray());
            Assert.Equal(panel.GetProperty("type").GetString() == "logs" ? "table" : "time_series", target.GetProperty("format").GetString());
            Assert.False(string.IsNullOrWhiteSpace(target.GetProperty("rawSql").GetString()));
        }

        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("type").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["source"] = "query", ["level"] = "custom", ["search"] = "textbox" }, variables);
    }

    [Theory]
    [InlineData("service-00,service-03", "ERROR,WARN", "timeout")]
    [InlineData("service-01", "TRACE,DEBUG,INFO,WARN,ERROR,FATAL", "")]
    [InlineData("service-02,service-05", "INFO", "user1 performed")]
    [InlineData("service-00", "ERROR", "it's \"quoted\"")]
    public async Task The_panels_sql_expanded_as_grafana_does_returns_the_expected_rows(string sources, string levels, string search)
    {
        var variables = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["source"] = sources.Split(','),
            ["level"] = levels.Split(','),
            ["search"] = [search],
        };
        var matching = _events
            .Where(e => e.Timestamp >= From && e.Timestamp <= _end && variables["source"].Contains(e.Source) && variables["level"].Contains(e.Level)
                && (search.Length == 0 || TextSearch(e.Message, search)))
            .ToList();

        var volume = await RunAsync(Sql("timeseries", variables));
        var logs = await RunAsync(Sql("logs", variables));

        var expectedVolume = matching
            .GroupBy(e => (Time: e.Timestamp.ToUnixTimeSeconds() / 60 * 60, e.Level))
            .OrderBy(g => g.Key.Time).ThenBy(g => g.Key.Level, StringComparer.Ordinal)
            .Select(g => $"{g.Key.Time}|{g.Key.Level}|{g.Count()}");
        Assert.Equal(expectedVolume, volume.Select(r => $"{Convert.ToInt64(r[0], CultureInfo.InvariantCulture)}|{r[1]}|{r[2]}"));
        var expectedLogs = matching.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal).Take(1000)
            .Select(e => $"{e.Id}|{e.Level}|{e.Source}|{e.Message}");
        Assert.Equal(expectedLogs, logs.Select(r => $"{r[4]}|{r[1]}|{r[2]}|{r[3]}"));
        Assert.True(search.Contains('"', StringComparison.Ordinal) || matching.Count > 0, "the case selects some events");
    }

    [Fact]
    public async Task The_source_variable_lists_the_sources_of_the_time_range()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(DashboardFile));
        var query = document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == "source").GetProperty("query").GetString()!;

        var sources = await RunAsync(Expand(query, new Dictionary<string, string[]>(StringComparer.Ordinal)));

        Assert.Equal(_events.Where(e => e.Timestamp >= From && e.Timestamp <= _end).Select(e => e.Source).Distinct().Order(StringComparer.Ordinal),
            sources.Select(r => (string)r[0]));
    }

    private string Sql(string panelType, Dictionary<string, string[]> variables)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(DashboardFile));
        var panel = document.RootElement.GetProperty("panels").EnumerateArray().Single(p => p.GetProperty("type").GetString() == panelType);
        return Expand(panel.GetProperty("targets")[0].GetProperty("rawSql").GetString()!, variables);
    }

    /// <summary>
    /// Grafana's PostgreSQL macros and variable formats, as it expands them before sending SQL: <c>$__timeFilter(c)</c>
    /// is <c>c BETWEEN 'from' AND 'to'</c>, <c>$__timeGroupAlias(c, $__interval)</c> buckets epoch seconds (one minute
    /// here) as "time", and <c>${name:sqlstring}</c> is each value quoted, quotes doubled, comma-separated.
    /// </summary>
    private string Expand(string sql, Dictionary<string, string[]> variables)
    {
        var (from, to) = (From.ToString("O", CultureInfo.InvariantCulture), _end.ToString("O", CultureInfo.InvariantCulture));
        var expanded = TimeFilter().Replace(sql, m => $"{m.Groups[1].Value} BETWEEN '{from}' AND '{to}'");
        expanded = TimeGroupAlias().Replace(expanded, m => $"floor(extract(epoch from {m.Groups[1].Value})/60)*60 AS \"time\"");
        expanded = SqlString().Replace(expanded,
            m => string.Join(',', variables[m.Groups[1].Value].Select(v => "'" + v.Replace("'", "''", StringComparison.Ordinal) + "'")));
        Assert.DoesNotContain("$", expanded, StringComparison.Ordinal);
        return expanded;
    }

    private async Task<List<object[]>> RunAsync(string sql)
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The message contains the text (any case), and each of its words starts a word of the message.</summary>
    private static bool TextSearch(string message, string text)
    {
        if (!message.Contains(text, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var words = message.ToLowerInvariant().Split(' ');
        return text.ToLowerInvariant().Split(' ').All(q => words.Any(w => w.StartsWith(q, StringComparison.Ordinal)));
    }

    [GeneratedRegex(@"\$__timeFilter\(([^)]+)\)")]
    private static partial Regex TimeFilter();

    [GeneratedRegex(@"\$__timeGroupAlias\(([^,]+),\s*\$__interval\)")]
    private static partial Regex TimeGroupAlias();

    [GeneratedRegex(@"\$\{(\w+):sqlstring\}")]
    private static partial Regex SqlString();
}
