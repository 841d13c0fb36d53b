using Logbus.Messaging.Kafka.Testing;

namespace Logbus.DevBroker;

/// <summary>
/// Settings read from configuration: <c>--Brokers 1 --Topics:log-events 12 --BootstrapFile path --ControlFile path
/// --BootstrapPort 0</c> on the command line, or the matching environment variables.
/// </summary>
/// <param name="BootstrapPort">
/// The port clients connect to, forwarded to the mock broker (one broker only); 0 takes a free one. A restart given the
/// port the last run reported comes back there. Unset, clients use the mock broker's own port.
/// </param>
internal sealed record DevBrokerSettings(
    int Brokers, IReadOnlyDictionary<string, int> Topics, string? BootstrapFile, string? ControlFile, int? BootstrapPort)
{
    public static DevBrokerSettings FromConfiguration(IConfiguration configuration)
    {
        var topics = configuration.GetSection("Topics").GetChildren()
            .ToDictionary(t => t.Key, t => int.Parse(t.Value ?? "1", System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var settings = new DevBrokerSettings(configuration.GetValue("Brokers", 1), topics, configuration["BootstrapFile"],
            configuration["ControlFile"], configuration.GetValue<int?>("BootstrapPort"));
        if (settings.BootstrapPort is not null && settings.Brokers != 1)
        {
            throw new InvalidOperationException("BootstrapPort forwards to one broker: it needs Brokers = 1.");
        }

        return settings;
    }

    public KafkaDevBrokerOptions ToOptions()
    {
        var options = new KafkaDevBrokerOptions { BrokerCount = Brokers, Port = BootstrapPort };
        foreach (var (topic, partitions) in Topics)
        {
            options.Topics[topic] = partitions;
        }

        return options;
    }
}
