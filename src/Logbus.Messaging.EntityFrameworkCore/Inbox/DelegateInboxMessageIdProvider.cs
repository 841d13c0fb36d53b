using MassTransit;

namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>An inbox message id from a function, falling back to <see cref="InboxMessageIdProvider.Default"/> when it has none.</summary>
internal sealed class DelegateInboxMessageIdProvider(Func<ConsumeContext, Guid?> messageId) : IInboxMessageIdProvider
{
    public Guid? GetMessageId(ConsumeContext context) => messageId(context) ?? InboxMessageIdProvider.Default.GetMessageId(context);
}
