namespace Logbus.Messaging.Kafka.Producing;

/// <summary>Scoped producers for any topic address; they use the scope's outbox like registered producers do.</summary>
internal sealed class ScopedTopicProducerProvider(KafkaRider rider, IServiceProvider scope) : ITopicProducerProvider
{
    public ITopicProducer<T> GetProducer<T>(Uri address)
        where T : class
    {
        var topic = TopicAddress.Parse(address);
        return new ScopedTopicProducer<T>(rider.TopicEndpoints.GetTopicEndpoint(topic), topic, m => rider.KeySelectors.SelectKey(topic, m), scope);
    }
}
