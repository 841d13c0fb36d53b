using MassTransit.Serialization;
using Npgsql;

namespace Logbus.Messaging.EntityFrameworkCore.Model;

/// <summary>Reads <c>outbox_message</c> rows from raw queries (claims, preloads) into messages ready to send.</summary>
internal static class OutboxMessageReader
{
    /// <summary>The columns <see cref="Read"/> expects, in order, qualified by <c>m.</c>.</summary>
    public const string Columns = """
        m.sequence_number, m.outbox_id, m.inbox_message_id, m.inbox_consumer_id, m.message_id, m.sent_time, m.expiration_time,
        m.headers, m.properties, m.content_type, m.message_type, m.body, m.conversation_id, m.correlation_id, m.initiator_id,
        m.request_id, m.source_address, m.destination_address, m.response_address, m.fault_address
        """;

    /// <summary>How many columns <see cref="Columns"/> names; a query may add its own after them.</summary>
    public const int ColumnCount = 20;

    public static OutboxMessage Read(NpgsqlDataReader reader)
    {
        var message = new OutboxMessage
        {
            SequenceNumber = reader.GetInt64(0),
            OutboxId = NullableGuid(reader, 1),
            InboxMessageId = NullableGuid(reader, 2),
            InboxConsumerId = NullableGuid(reader, 3),
            MessageId = reader.GetGuid(4),
            SentTime = reader.GetFieldValue<DateTime>(5),
            ExpirationTime = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTime>(6),
            Headers = NullableString(reader, 7),
            Properties = NullableString(reader, 8),
            ContentType = reader.GetString(9),
            MessageType = reader.GetString(10),
            BodyUtf8 = reader.GetFieldValue<byte[]>(11),
            ConversationId = NullableGuid(reader, 12),
            CorrelationId = NullableGuid(reader, 13),
            InitiatorId = NullableGuid(reader, 14),
            RequestId = NullableGuid(reader, 15),
            SourceAddress = NullableUri(reader, 16),
            DestinationAddress = NullableUri(reader, 17),
            ResponseAddress = NullableUri(reader, 18),
            FaultAddress = NullableUri(reader, 19),
        };
        message.Deserialize(SystemTextJsonMessageSerializer.Instance);
        return message;
    }

    private static Guid? NullableGuid(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static Uri? NullableUri(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : new Uri(reader.GetString(ordinal));
}
