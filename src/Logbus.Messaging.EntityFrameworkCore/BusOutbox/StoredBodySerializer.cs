using System.Net.Mime;
using MassTransit;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>Writes a stored message body exactly as it was stored, whatever the send context holds.</summary>
internal sealed class StoredBodySerializer(ContentType contentType, MessageBody body) : IMessageSerializer
{
    public ContentType ContentType { get; } = contentType;

    public MessageBody GetMessageBody<T>(SendContext<T> context)
        where T : class => body;
}
