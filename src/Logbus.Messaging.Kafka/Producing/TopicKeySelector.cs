namespace Logbus.Messaging.Kafka.Producing;

/// <summary>The key selector registered with <c>AddProducer&lt;T&gt;(topic, keySelector)</c> for one message type.</summary>
internal interface ITopicKeySelector
{
    Type MessageType { get; }

    string Topic { get; }

    string? SelectKey(object message);
}

internal sealed class TopicKeySelector<T>(string topic, Func<T, string?> keySelector) : ITopicKeySelector
    where T : class
{
    public Type MessageType => typeof(T);

    public string Topic { get; } = topic;

    public string? SelectKey(object message) => message is T typed ? keySelector(typed) : null;
}
