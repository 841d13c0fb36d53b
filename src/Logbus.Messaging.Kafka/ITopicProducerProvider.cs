namespace Logbus.Messaging.Kafka;

/// <summary>Producers for any topic address (<c>topic:&lt;name&gt;</c>), resolved from a scope.</summary>
public interface ITopicProducerProvider
{
    ITopicProducer<T> GetProducer<T>(Uri address)
        where T : class;
}
