using System.Net.Mime;
using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using MassTransit.Context;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Sends a stored raw JSON message with the body as stored and the ids, addresses, message types and headers of its
/// row. MassTransit's <see cref="OutboxMessageSendPipe"/> reads every body into a <c>JsonElement</c> and serializes it
/// again: for the Api's chunks of up to a megabyte that is most of the delivery's work, and a raw JSON body has nothing
/// in it to change (its headers travel beside it). Envelopes still go through MassTransit's pipe, which rewrites them.
/// </summary>
internal sealed class StoredRawJsonSendPipe(OutboxMessageContext message) : IPipe<SendContext>
{
    private static readonly string RawJson = SystemTextJsonRawMessageSerializer.JsonContentType.MediaType;

    /// <summary>The pipe that re-sends <paramref name="message"/>: this one for raw JSON, MassTransit's for anything else.</summary>
    public static IPipe<SendContext> For(OutboxMessageContext message, Uri destination)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.ContentType is { Length: > 0 } stored
            && new ContentType(stored).MediaType.Equals(RawJson, StringComparison.OrdinalIgnoreCase)
                ? new StoredRawJsonSendPipe(message)
                : new OutboxMessageSendPipe(message, destination);
    }

    public Task Send(SendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.MessageId = message.MessageId;
        context.RequestId = message.RequestId;
        context.ConversationId = message.ConversationId;
        context.CorrelationId = message.CorrelationId;
        context.InitiatorId = message.InitiatorId;
        context.SourceAddress = message.SourceAddress;
        context.ResponseAddress = message.ResponseAddress;
        context.FaultAddress = message.FaultAddress;
        // A row without its types (written by hand, or by an older writer) may still carry them as a header, as MassTransit's
        // pipe would find them: without them a topic carrying several message types could not tell which this is.
        var types = string.IsNullOrWhiteSpace(message.MessageType)
            ? message.Headers.Get<string>(MessageHeaders.MessageType)
            : message.MessageType;
        context.SupportedMessageTypes = string.IsNullOrWhiteSpace(types) ? [] : types.Split(';');
        if (message.ExpirationTime is { } expires)
        {
            context.TimeToLive = expires.ToUniversalTime() - DateTime.UtcNow;
        }

        foreach (var (key, value) in message.Headers.GetAll())
        {
            if (!key.Equals(MessageHeaders.MessageId, StringComparison.OrdinalIgnoreCase)
                && !key.Equals(MessageHeaders.ContentType, StringComparison.OrdinalIgnoreCase))
            {
                context.Headers.Set(key, value, overwrite: true);
            }
        }

        if (message.Properties.Count > 0 && context is TransportSendContext transport)
        {
            transport.ReadPropertiesFrom(message.Properties);
        }

        context.Serializer = new StoredBodySerializer(new ContentType(message.ContentType),
            message is OutboxMessage { BodyUtf8: { } utf8 } ? new BytesMessageBody(utf8) : new StringMessageBody(message.Body));
        return Task.CompletedTask;
    }

    public void Probe(ProbeContext context)
    {
    }
}
