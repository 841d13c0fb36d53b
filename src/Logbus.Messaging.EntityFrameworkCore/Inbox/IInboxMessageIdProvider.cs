using MassTransit;

namespace Logbus.Messaging.EntityFrameworkCore.Inbox;

/// <summary>
/// Names the inbound message for the inbox. Two copies of a message must get the same id, or deduplication fails;
/// a message for which no id can be found is refused rather than processed without protection.
/// </summary>
public interface IInboxMessageIdProvider
{
    Guid? GetMessageId(ConsumeContext context);
}
