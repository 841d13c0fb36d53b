using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Logbus.Messaging.Kafka.Configuration;
using MassTransit;

namespace Logbus.Messaging.Kafka.Topology;

/// <summary>
/// Creates a topic endpoint's topic (and its dead-letter topic) when missing, through the admin client. Brokers that
/// cannot create topics over the protocol — the dev broker, whose topics are created through its own API — are
/// tolerated with a warning: the endpoint then waits for the topic like any consumer would.
/// </summary>
internal sealed class TopicCreator(KafkaHostSettings host)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, bool> _ensured = new(StringComparer.Ordinal);

    public async Task EnsureExistsAsync(KafkaTopicEndpointSettings settings, CancellationToken cancellationToken)
    {
        if (settings.CreateIfMissing is not { } options)
        {
            return;
        }

        var topics = settings.FaultHandling == KafkaFaultHandling.DeadLetter ? new[] { settings.Topic, settings.DeadLetterTopic } : [settings.Topic];
        var missing = topics.Where(t => !_ensured.ContainsKey(t)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig(host.CreateClientConfig().ToDictionary(p => p.Key, p => p.Value)))
            .SetLogHandler((_, message) => KafkaClientLog.Write(message))
            .Build();
        var specifications = missing.Select(topic => new TopicSpecification
        {
            Name = topic,
            NumPartitions = options.Partitions,
            ReplicationFactor = options.ReplicationFactor,
            Configs = new Dictionary<string, string>(options.Configs, StringComparer.Ordinal),
        }).ToList();

        try
        {
            await admin.CreateTopicsAsync(specifications, new CreateTopicsOptions { RequestTimeout = RequestTimeout }).WaitAsync(cancellationToken);
            foreach (var topic in missing)
            {
                _ensured[topic] = true;
                LogContext.Info?.Log("Created Kafka topic {Topic} ({Partitions} partitions, replication {Replication})", topic, options.Partitions,
                    options.ReplicationFactor);
            }
        }
        catch (CreateTopicsException exception)
        {
            foreach (var result in exception.Results)
            {
                switch (result.Error.Code)
                {
                    case ErrorCode.NoError or ErrorCode.TopicAlreadyExists:
                        _ensured[result.Topic] = true;
                        break;
                    case ErrorCode.UnsupportedVersion or ErrorCode.Local_UnsupportedFeature or ErrorCode.InvalidRequest:
                        _ensured[result.Topic] = true;
                        LogContext.Warning?.Log("The Kafka broker cannot create topic {Topic} ({Reason}); create it through the broker's own tools",
                            result.Topic, result.Error.Reason);
                        break;
                    default:
                        LogContext.Error?.Log("Creating Kafka topic {Topic} failed: {Reason}", result.Topic, result.Error.Reason);
                        break;
                }
            }
        }
        catch (KafkaException exception) when (exception.Error.Code is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion)
        {
            foreach (var topic in missing)
            {
                _ensured[topic] = true;
            }

            LogContext.Warning?.Log("The Kafka broker cannot create topics ({Reason}); create {Topics} through the broker's own tools",
                exception.Error.Reason, string.Join(", ", missing));
        }
    }
}
