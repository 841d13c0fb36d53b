using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Logbus.Messaging.Kafka.Configuration;
using MassTransit;

namespace Logbus.Messaging.Kafka.Topology;

/// <summary>
/// Creates a topic endpoint's topic (and its dead-letter topic) when missing, through the admin client. Topics that
/// exist are left alone (one metadata request). Brokers that cannot create topics over the protocol — the dev broker
/// has no controller, its topics are created through its own API — are tolerated with a warning after the request
/// times out: the endpoint then waits for the topic like any consumer would.
/// </summary>
internal sealed class TopicCreator(KafkaHostSettings host)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, bool> _ensured = new(StringComparer.Ordinal);

    public async Task EnsureExistsAsync(KafkaTopicEndpointSettings settings, CancellationToken cancellationToken)
    {
        if (settings.CreateIfMissing is not { } options)
        {
            return;
        }

        var topics = settings.FaultHandling == KafkaFaultHandling.DeadLetter ? new[] { settings.Topic, settings.DeadLetterTopic } : [settings.Topic];
        var unknown = topics.Where(t => !_ensured.ContainsKey(t)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig(host.CreateClientConfig().ToDictionary(p => p.Key, p => p.Value)))
            .SetLogHandler((_, message) => KafkaClientLog.Write(message))
            .Build();
        var missing = await Task.Run(() => Missing(admin, unknown), cancellationToken);
        if (missing.Count == 0)
        {
            return;
        }

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
                if (result.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists)
                {
                    _ensured[result.Topic] = true;
                }
                else
                {
                    LogContext.Error?.Log("Creating Kafka topic {Topic} failed: {Reason}; the endpoint waits for it to appear", result.Topic,
                        result.Error.Reason);
                }
            }
        }
        catch (KafkaException exception)
        {
            // The dev broker (librdkafka's mock cluster) has no controller and cannot create topics over the protocol.
            LogContext.Warning?.Log(
                "The Kafka brokers could not create {Topics} ({Reason}); create them with the broker's own tools. The endpoint waits for them.",
                string.Join(", ", missing), exception.Error.Reason);
        }
    }

    private List<string> Missing(IAdminClient admin, List<string> topics)
    {
        var metadata = admin.GetMetadata(RequestTimeout);
        var existing = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        foreach (var topic in topics.Where(existing.Contains))
        {
            _ensured[topic] = true;
        }

        return [.. topics.Where(t => !existing.Contains(t))];
    }
}
