namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>What <c>r.UsingKafka((context, k) => …)</c> configures: the brokers, the producers and the topic endpoints.</summary>
public interface IKafkaFactoryConfigurator
{
    /// <summary>The brokers to bootstrap from (<c>host:port[,host:port…]</c>) and how to reach them.</summary>
    void Host(string bootstrapServers, Action<IKafkaHostConfigurator>? configure = null);

    /// <summary>
    /// A topic endpoint: a consumer group member (or <see cref="IKafkaTopicReceiveEndpointConfigurator.ConsumerCount"/>
    /// members) on <paramref name="topic"/> whose records run through a MassTransit receive pipe. <typeparamref name="T"/>
    /// is the message type the topic carries; something on the endpoint must consume it (or <c>Batch&lt;T&gt;</c>).
    /// </summary>
    void TopicEndpoint<T>(string topic, string groupId, Action<IKafkaTopicReceiveEndpointConfigurator> configure)
        where T : class;

    /// <summary>Producer settings shared by every producer of the rider (idempotence and <c>acks=all</c> are fixed).</summary>
    void ConfigureProducers(Action<KafkaProducerOptions> configure);

    /// <summary>
    /// How long the brokers may be unreachable before the rider reports itself not ready (the readiness health check
    /// and the topic endpoints' health). Default 30 s. Consumption resumes by itself whenever the brokers return.
    /// </summary>
    TimeSpan UnreachableTimeout { set; }
}
