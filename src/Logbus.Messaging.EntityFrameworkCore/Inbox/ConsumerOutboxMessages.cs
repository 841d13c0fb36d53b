using Logbus.Messaging.EntityFrameworkCore.Model;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using MassTransit.Transports;

namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>
/// For a consumer that writes its own transaction instead of running inside <see cref="PgOutboxContextFactory{TDbContext}"/>
/// (several messages stored together, say) yet must leave the inbox exactly as a consume would: the outbox row that a
/// <c>Send</c> from the consume context would have stored, and its delivery as the inbox's second pass makes it.
/// </summary>
/// <remarks>
/// Committed with the inbox row marked consumed and not delivered, such a row is delivered by whoever comes first: the
/// caller once its transaction committed (<see cref="DeliverAsync"/>, then marking the row delivered), or, should the
/// caller stop in between, the inbox itself when the message comes again. Both send the row's own message id, so the
/// receiver's inbox sees one message.
/// </remarks>
public static class ConsumerOutboxMessages
{
    /// <summary>
    /// The outbox row of sending <paramref name="message"/> to <paramref name="destination"/> from <paramref name="context"/>.
    /// The caller sets <see cref="OutboxMessage.InboxMessageId"/> and <see cref="OutboxMessage.InboxConsumerId"/> to the inbox
    /// row its transaction writes.
    /// </summary>
    public static async Task<OutboxMessage> CaptureSendAsync<T>(ConsumeContext context, Uri destination, T message, Action<SendContext<T>> configure,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(configure);
        // The consume context's endpoint adds what its sends carry (conversation, initiator, source), as the outbox's own does.
        if (await context.GetSendEndpoint(destination) is not ITransportSendEndpoint endpoint)
        {
            throw new InvalidOperationException($"The send endpoint of {destination} cannot build a send context for the outbox.");
        }

        var send = await endpoint.CreateSendContext(message, Pipe.Execute(configure), cancellationToken);
        send.ConversationId ??= NewId.NextGuid();
        return OutboxMessageFactory.Create(send);
    }

    /// <summary>Sends <paramref name="row"/> through <paramref name="context"/>, byte for byte as the inbox's delivery pass does.</summary>
    public static async Task DeliverAsync(ConsumeContext context, OutboxMessage row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(row);
        var destination = row.DestinationAddress ?? throw new InvalidOperationException($"Outbox message {row.MessageId} has no destination.");
        row.Deserialize(SystemTextJsonMessageSerializer.Instance);
        var endpoint = await context.GetSendEndpoint(destination);
        await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(row, destination), cancellationToken);
    }
}
