using System.Text;
using MassTransit;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Logbus.Messaging.EntityFrameworkCore.Model;

/// <summary>
/// A message waiting in the outbox, serialized exactly as the transport will carry it. It belongs either to a consumer's
/// inbox row (<see cref="InboxMessageId"/>, <see cref="InboxConsumerId"/>) or to a bus outbox (<see cref="OutboxId"/>).
/// </summary>
public class OutboxMessage : OutboxMessageContext
{
    private static readonly IReadOnlyDictionary<string, object> NoProperties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
    private Headers? _headers;
    private IReadOnlyDictionary<string, object>? _properties;
    private string? _body;

    /// <summary>Assigned when the message is added (HiLo), so delivery order is the order the code sent in.</summary>
    public long SequenceNumber { get; set; }

    public Guid MessageId { get; set; }

    public Guid? InboxMessageId { get; set; }

    public Guid? InboxConsumerId { get; set; }

    public Guid? OutboxId { get; set; }

    public DateTime SentTime { get; set; }

    /// <summary>When a delayed send becomes due.</summary>
    public DateTime? EnqueueTime { get; set; }

    public DateTime? ExpirationTime { get; set; }

    /// <summary>The send headers as JSON, including transport headers such as <c>Kafka-Key</c>.</summary>
    public string? Headers { get; set; }

    /// <summary>Transport-specific properties (routing key, partition key…) as JSON.</summary>
    public string? Properties { get; set; }

    public string ContentType { get; set; } = "";

    public string MessageType { get; set; } = "";

    /// <summary>The body as text; read back for delivery it is decoded from <see cref="BodyUtf8"/> only if something asks.</summary>
    public string Body
    {
        get => _body ??= BodyUtf8 is { } utf8 ? Encoding.UTF8.GetString(utf8) : "";
        set => _body = value;
    }

    /// <summary>
    /// The stored body's UTF-8 bytes as read back for delivery, which a raw JSON body is sent as: a chunk of hundreds of
    /// kB was decoded into a string twice its size and encoded back into bytes per send. Not mapped.
    /// </summary>
    public byte[]? BodyUtf8 { get; set; }

    public Guid? ConversationId { get; set; }

    public Guid? CorrelationId { get; set; }

    public Guid? InitiatorId { get; set; }

    public Guid? RequestId { get; set; }

    public Uri? SourceAddress { get; set; }

    public Uri? DestinationAddress { get; set; }

    public Uri? ResponseAddress { get; set; }

    public Uri? FaultAddress { get; set; }

    Guid? MessageContext.MessageId => MessageId;

    DateTime? MessageContext.SentTime => SentTime;

    Headers MessageContext.Headers => _headers ?? EmptyHeaders.Instance;

    HostInfo MessageContext.Host => HostMetadataCache.Host;

    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ?? NoProperties;

    /// <summary>Reads <see cref="Headers"/> and <see cref="Properties"/> back into objects before the message is sent.</summary>
    public void Deserialize(IObjectDeserializer deserializer)
    {
        ArgumentNullException.ThrowIfNull(deserializer);
        _headers = deserializer.DeserializeDictionary<object?>(Headers) is { } headers ? new DictionarySendHeaders(headers) : EmptyHeaders.Instance;
        _properties = deserializer.DeserializeDictionary<object>(Properties) ?? NoProperties;
    }
}
