namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// Key selectors by message type, for sends that carry no <see cref="KafkaHeaders.Key"/> header. A selector registered
/// for the same type and topic wins over one registered for the type on another topic.
/// </summary>
internal sealed class TopicKeySelectors(IEnumerable<ITopicKeySelector> selectors)
{
    private readonly ILookup<Type, ITopicKeySelector> _byType = selectors.ToLookup(s => s.MessageType);

    public string? SelectKey<T>(string topic, T message)
        where T : class
    {
        var candidates = _byType[typeof(T)];
        var selector = candidates.FirstOrDefault(s => string.Equals(s.Topic, topic, StringComparison.Ordinal)) ?? candidates.FirstOrDefault();
        return selector?.SelectKey(message);
    }
}
