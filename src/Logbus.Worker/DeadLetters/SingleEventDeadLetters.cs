using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;
using Headers = Confluent.Kafka.Headers;

namespace Logbus.Worker.DeadLetters;

/// <summary>
/// Dead-letters one event of a chunk that could not store it: a record holding a <c>LogEventsAccepted</c> of that event
/// alone, with the fault and origin headers the topic's other dead letters have, so the list shows its reason and a
/// replay sends it to <c>log-events</c> as a chunk of its own (refused again, it is dead-lettered again; fixed, it is
/// stored). The event's JSON is copied byte for byte from the consumed record: re-serializing it would fail for the very
/// values that made it unstorable (a lone surrogate escape). Produced before the chunk's transaction commits: should
/// that commit fail, the chunk runs again and the same dead letter (same MessageId and bytes) is produced again.
/// </summary>
public sealed class SingleEventDeadLetters(DeadLetterProducer producer, IOptions<TopicOptions> topics)
{
    /// <param name="context">The consumed chunk.</param>
    /// <param name="index">The event's position in the chunk's <c>events</c>.</param>
    /// <param name="exceptionType">What refused it (the Worker's check or PostgreSQL).</param>
    /// <param name="reason">Why, as the dead-letter list shows it.</param>
    public async Task ProduceAsync(ConsumeContext<LogEventsAccepted> context, int index, string exceptionType, string reason)
    {
        var id = DerivedId(context.MessageId ?? context.Message.ChunkId, index);
        var origin = context.GetKafkaRecord();
        var headers = new Headers();
        Add(headers, MessageHeaders.MessageId, id.ToString());
        Add(headers, MessageHeaders.ContentType, "application/json");
        Add(headers, MessageHeaders.FaultExceptionType, exceptionType);
        Add(headers, MessageHeaders.FaultMessage, reason);
        Add(headers, MessageHeaders.FaultTimestamp, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        Add(headers, KafkaHeaders.FaultAttempts, (context.GetRetryAttempt() + 1).ToString(CultureInfo.InvariantCulture));
        Add(headers, KafkaHeaders.OriginalTopic, origin?.Topic ?? topics.Value.LogEvents);
        if (origin is not null)
        {
            Add(headers, KafkaHeaders.OriginalPartition, origin.Partition.ToString(CultureInfo.InvariantCulture));
            Add(headers, KafkaHeaders.OriginalOffset, origin.Offset.ToString(CultureInfo.InvariantCulture));
            Add(headers, KafkaHeaders.OriginalGroup, origin.GroupId);
        }

        await producer.ProduceAsync(topics.Value.LogEventsDeadLetters, new Message<byte[]?, byte[]>
        {
            Key = origin?.Key is { } key ? Encoding.UTF8.GetBytes(key) : null,
            Value = ChunkOfOne(context.ReceiveContext.Body.GetBytes(), index, id, context.Message.ImportId),
            Headers = headers,
        }, context.CancellationToken);
    }

    /// <summary>The chunk's JSON cut down to one event: a new chunk id, the import it belongs to (but none of its numbered chunks).</summary>
    private static byte[] ChunkOfOne(ReadOnlyMemory<byte> chunk, int index, Guid chunkId, Guid? importId)
    {
        using var document = JsonDocument.Parse(chunk);
        var root = document.RootElement;
        // A chunk in MassTransit's envelope (an outbox row stored so before raw JSON, or with CaptureEnvelopes) holds it in "message".
        if (Property(root, "events") is null && Property(root, "message") is { ValueKind: JsonValueKind.Object } message)
        {
            root = message;
        }

        var events = Property(root, "events")
            ?? throw new InvalidOperationException("The consumed record holds no \"events\" array, in a chunk or in an envelope's message.");
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("chunkId", chunkId);
            if (importId is { } id)
            {
                writer.WriteString("importId", id);
            }

            writer.WriteStartArray("events");
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(events[index]), skipInputValidation: true);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
            && element.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is
                { Value.ValueKind: not JsonValueKind.Undefined } found
            ? found.Value
            : null;

    /// <summary>The same for the same event of the same chunk, however often the chunk runs: the inbox knows a dead letter by it.</summary>
    private static Guid DerivedId(Guid chunkMessageId, int index)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{chunkMessageId:N}/{index}")));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static void Add(Headers headers, string key, string value) => headers.Add(key, Encoding.UTF8.GetBytes(value));
}
