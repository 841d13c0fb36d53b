namespace Logbus.Bench;

/// <summary>What a benchmark runs against: the local stack's settings, and where its results go.</summary>
internal sealed class BenchContext(string resultsFolder, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string,
    string>? options = null)
{
    public string ResultsFolder { get; } = resultsFolder;

    /// <summary><c>ConnectionStrings__Logbus</c> of the stack the benchmark runs against.</summary>
    public string PostgresConnectionString => Require("ConnectionStrings__Logbus");

    public string KafkaBootstrapServers => Require("Kafka__BootstrapServers");

    public string RedisConnectionString => Require("ConnectionStrings__Redis");

    /// <summary>The dev broker's control API (<c>LOGBUS_KAFKA_CONTROL</c>), which creates topics.</summary>
    public string KafkaControlUrl => Require("LOGBUS_KAFKA_CONTROL");

    /// <summary>Creates a topic on the dev broker through its control API.</summary>
    public async Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri($"{KafkaControlUrl}/topics/{topic}?partitions={partitions}"), null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A <c>--name=value</c> option of the command line, or null.</summary>
    public string? Option(string name) => options is not null && options.TryGetValue(name, out var value) ? value : null;

    /// <summary><c>--full</c>: the sizes the issues name rather than the standard suite's.</summary>
    public bool Full => Option("full") is "true";

    /// <summary>A setting of the environment (<c>ConnectionStrings__Logbus</c>, say), or null.</summary>
    public string? Setting(string name) => settings.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    /// <summary>Prints a progress line, so long runs show they are alive.</summary>
    public void Progress(string message) => Console.WriteLine($"  {DateTime.Now:HH:mm:ss} {message}");

    private string Require(string name) =>
        settings.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value)
            ? value
            : throw new InvalidOperationException($"{name} is not set: run benchmarks through ./logbus bench, which starts the stack and sets it.");
}
