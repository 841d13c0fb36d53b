using System.Globalization;
using MassTransit;

namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>
/// The message's own id (or <c>MT-Original-MessageId</c> after a scheduled redelivery); failing that, an id derived
/// from where the record sits in its log, read from the transport headers <see cref="TopicHeader"/>,
/// <see cref="PartitionHeader"/> and <see cref="OffsetHeader"/>. A Kafka record written by a producer that is not
/// MassTransit carries no MessageId, but its topic, partition and offset name it uniquely and identically on every
/// redelivery.
/// </summary>
public sealed class InboxMessageIdProvider : IInboxMessageIdProvider
{
    public const string TopicHeader = "Kafka-Topic";
    public const string PartitionHeader = "Kafka-Partition";
    public const string OffsetHeader = "Kafka-Offset";

    public static InboxMessageIdProvider Default { get; } = new();

    public Guid? GetMessageId(ConsumeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetOriginalMessageId() ?? FromLogPosition(context);
    }

    /// <summary>
    /// The id of the record at <paramref name="offset"/> of <paramref name="partition"/> in <paramref name="topic"/>;
    /// the same id the Kafka rider gives such a record when it consumes it (<c>kafka:topic/partition/offset</c>).
    /// </summary>
    public static Guid FromLogPosition(string topic, int partition, long offset) =>
        DeterministicGuid.Create(string.Create(CultureInfo.InvariantCulture, $"kafka:{topic}/{partition}/{offset}"));

    private static Guid? FromLogPosition(ConsumeContext context)
    {
        var topic = Header(context, TopicHeader);
        var partition = Header(context, PartitionHeader);
        var offset = Header(context, OffsetHeader);
        if (topic is null
            || !int.TryParse(partition, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p)
            || !long.TryParse(offset, NumberStyles.Integer, CultureInfo.InvariantCulture, out var o))
        {
            return null;
        }

        return FromLogPosition(topic, p, o);
    }

    private static string? Header(ConsumeContext context, string name)
    {
        if (context.Headers.TryGetHeader(name, out var value) || context.ReceiveContext.TransportHeaders.TryGetHeader(name, out value))
        {
            return value switch
            {
                null => null,
                string s => s,
                byte[] b => System.Text.Encoding.UTF8.GetString(b),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
        }

        return null;
    }
}
