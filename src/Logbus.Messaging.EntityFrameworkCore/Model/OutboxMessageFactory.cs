using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;

namespace Logbus.Messaging.EntityFrameworkCore.Model;

/// <summary>Turns a send that the outbox captured into the row that will replay it byte for byte.</summary>
internal static class OutboxMessageFactory
{
    public static OutboxMessage Create<T>(SendContext<T> context)
        where T : class
    {
        if (context.MessageId is not { } messageId)
        {
            throw new MessageException(typeof(T), "The outbox needs a MessageId on every message it stores.");
        }

        var serializer = context.Serializer
            ?? throw new MessageException(typeof(T), "The send context has no serializer; it was not created by a send endpoint.");
        var now = DateTime.UtcNow;
        var headers = SystemTextJsonMessageSerializer.Instance;
        var message = new OutboxMessage
        {
            MessageId = messageId,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = context.DestinationAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = (context.SentTime ?? now).ToUniversalTime(),
            ContentType = (context.ContentType ?? serializer.ContentType).ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            Body = serializer.GetMessageBody(context).GetString(),
            ExpirationTime = context.TimeToLive is { } ttl ? now + ttl : null,
            EnqueueTime = context.Delay is { } delay ? now + delay : null,
            Headers = headers.SerializeDictionary(OutboxTracing.HeadersToStore(context.Headers)),
        };

        if (context is TransportSendContext<T> transport)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transport.WritePropertiesTo(properties);
            message.Properties = properties.Count > 0 ? headers.SerializeDictionary(properties) : null;
        }

        return message;
    }
}
