using MassTransit;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Logbus.Specs.Kafka;

/// <summary>
/// A message as a MassTransit outbox stores it — serialized body, content type, ids and headers — so specs can re-send it
/// with MassTransit's own <see cref="OutboxMessageSendPipe"/>, exactly as an outbox delivery does.
/// </summary>
internal sealed class StoredOutboxMessage : OutboxMessageContext
{
    private readonly DictionarySendHeaders _headers = new();

    public long SequenceNumber { get; init; } = 1;

    public Guid MessageId { get; init; }

    Guid? MessageContext.MessageId => MessageId;

    public required string ContentType { get; init; }

    public required string MessageType { get; init; }

    public required string Body { get; init; }

    public IReadOnlyDictionary<string, object> Properties { get; } = new Dictionary<string, object>();

    public Guid? RequestId { get; init; }

    public Guid? CorrelationId { get; init; }

    public Guid? ConversationId { get; init; }

    public Guid? InitiatorId { get; init; }

    public DateTime? ExpirationTime { get; init; }

    public Uri? SourceAddress { get; init; }

    public Uri? DestinationAddress { get; init; }

    public Uri? ResponseAddress { get; init; }

    public Uri? FaultAddress { get; init; }

    public DateTime? SentTime { get; init; } = DateTime.UtcNow;

    public Headers Headers => _headers;

    public HostInfo Host => HostMetadataCache.Host;

    public StoredOutboxMessage WithHeader(string key, string value)
    {
        _headers.Set(key, value);
        return this;
    }

    /// <summary>
    /// Serializes a message in MassTransit's JSON envelope, the way the outbox captured sends before it stored raw JSON
    /// (and still does with <c>CaptureEnvelopes</c>); such rows are re-sent through MassTransit's <c>OutboxMessageSendPipe</c>.
    /// </summary>
    public static StoredOutboxMessage Capture<T>(T message, Guid messageId, Guid conversationId, Uri destination, IReadOnlyDictionary<string,
        string> headers)
        where T : class
    {
        var context = new MassTransit.Context.MessageSendContext<T>(message)
        {
            MessageId = messageId,
            ConversationId = conversationId,
            DestinationAddress = destination,
            Serializer = SystemTextJsonMessageSerializer.Instance,
        };
        foreach (var (key, value) in headers)
        {
            context.Headers.Set(key, value);
        }

        var stored = new StoredOutboxMessage
        {
            MessageId = messageId,
            ConversationId = conversationId,
            DestinationAddress = destination,
            ContentType = SystemTextJsonMessageSerializer.JsonContentType.ToString(),
            MessageType = string.Join(';', context.SupportedMessageTypes),
            Body = context.Body.GetString(),
        };
        foreach (var (key, value) in headers)
        {
            stored.WithHeader(key, value);
        }

        return stored;
    }
}
