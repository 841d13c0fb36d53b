using Logbus.Messaging.Kafka.Testing;

namespace Logbus.DevBroker;

/// <summary>
/// Settings read from configuration: <c>--Brokers 1 --Topics:log-events 12 --BootstrapFile path --ControlFile path</c>
/// on the command line, or the matching environment variables.
/// </summary>
internal sealed record DevBrokerSettings(int Brokers, IReadOnlyDictionary<string, int> Topics, string? BootstrapFile, string? ControlFile)
{
    public static DevBrokerSettings FromConfiguration(IConfiguration configuration)
    {
        var topics = configuration.GetSection("Topics").GetChildren()
            .ToDictionary(t => t.Key, t => int.Parse(t.Value ?? "1", System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return new DevBrokerSettings(configuration.GetValue("Brokers", 1), topics, configuration["BootstrapFile"],
            configuration["ControlFile"]);
    }

    public KafkaDevBrokerOptions ToOptions()
    {
        var options = new KafkaDevBrokerOptions { BrokerCount = Brokers };
        foreach (var (topic, partitions) in Topics)
        {
            options.Topics[topic] = partitions;
        }

        return options;
    }
}
