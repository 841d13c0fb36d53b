using Npgsql;

namespace Logbus.Bench;

/// <summary>
/// A database and topics of one benchmark's own on the stack, with the settings that point the services at them, so a
/// run neither sees nor touches anyone else's data. The database is dropped afterwards.
/// </summary>
internal sealed class BenchDeployment : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string _database;

    private BenchDeployment(string admin, string database, string connectionString, string topic, Dictionary<string, string> settings)
    {
        _admin = admin;
        _database = database;
        ConnectionString = connectionString;
        Topic = topic;
        Settings = settings;
    }

    public string ConnectionString { get; }

    /// <summary>The ingest topic; the imports topic is this with <c>.imports</c>.</summary>
    public string Topic { get; }

    /// <summary>Environment settings for the services (connection strings, topics, consumer groups, cache prefix).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <param name="name">Part of the database and topic names, e.g. <c>load</c>.</param>
    public static async Task<BenchDeployment> CreateAsync(BenchContext context, string name, int partitions, CancellationToken cancellationToken)
    {
        var database = $"logbus_bench_{name}_{DateTime.UtcNow:HHmmss}";
        var connectionString = new NpgsqlConnectionStringBuilder(context.PostgresConnectionString) { Database = database }.ConnectionString;
        var admin = new NpgsqlConnectionStringBuilder(context.PostgresConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        var topic = $"bench-{name}-{Guid.NewGuid():N}"[..24];
        await ExecuteAsync(admin, $"CREATE DATABASE {database}", cancellationToken);
        var deployment = new BenchDeployment(admin, database, connectionString, topic, new Dictionary<string, string>
        {
            ["ConnectionStrings__Logbus"] = connectionString,
            ["ConnectionStrings__Redis"] = context.RedisConnectionString,
            ["Kafka__BootstrapServers"] = context.KafkaBootstrapServers,
            ["Kafka__Topics__LogEvents"] = topic,
            ["Kafka__Topics__Imports"] = topic + ".imports",
            ["Worker__Storing__ConsumerGroup"] = topic + "-worker",
            ["Worker__Imports__ConsumerGroup"] = topic + "-imports",
            ["Cache__KeyPrefix"] = topic + ":",
            // ./logbus stack's settings say the services do not migrate (./logbus migrate does); the run's database is new.
            ["Storage__MigrateOnStartup"] = "true",
            // The Api's retention guard holds delivery while these groups lag; by default it watches the stack's own groups,
            // which never read the run's topics (their whole backlog would count as lag).
            ["Kafka__RetentionGuard__LogEventsConsumerGroups"] = topic + "-worker",
            ["Kafka__RetentionGuard__ImportsConsumerGroups"] = topic + "-imports",
            // The benchmarks measure Query, not its per-client rate limit.
            ["Query__RateLimit__RequestsPerSecond"] = "0",
        });
        try
        {
            await context.CreateTopicAsync(topic, partitions, cancellationToken);
            await context.CreateTopicAsync(topic + ".imports", 4, cancellationToken);
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_admin, $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", CancellationToken.None);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
