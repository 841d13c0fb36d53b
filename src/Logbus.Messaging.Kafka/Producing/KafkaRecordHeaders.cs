using System.Collections.Frozen;
using System.Diagnostics;
using Confluent.Kafka;
using MassTransit;
using Headers = Confluent.Kafka.Headers;
using MassTransit.Logging;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// The Kafka headers of a produced record: MassTransit's message headers (ids, addresses, message types, content type),
/// every header set on the send context, and the W3C trace context of the send activity.
/// </summary>
internal static class KafkaRecordHeaders
{
    // Headers the record gets from the send context's own properties (or as its key): never copied twice.
    private static readonly FrozenSet<string> WrittenAbove = new[]
    {
        KafkaHeaders.Key, MessageHeaders.MessageId, MessageHeaders.CorrelationId, MessageHeaders.ConversationId, MessageHeaders.RequestId,
        MessageHeaders.InitiatorId, MessageHeaders.SourceAddress, MessageHeaders.ResponseAddress, MessageHeaders.FaultAddress,
        MessageHeaders.MessageType, MessageHeaders.ContentType, KafkaHeaders.TraceParent, KafkaHeaders.TraceState,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static Headers From(SendContext context, string? contentType)
    {
        var headers = new Headers();
        AddGuid(headers, MessageHeaders.MessageId, context.MessageId);
        AddGuid(headers, MessageHeaders.CorrelationId, context.CorrelationId);
        AddGuid(headers, MessageHeaders.ConversationId, context.ConversationId);
        AddGuid(headers, MessageHeaders.RequestId, context.RequestId);
        AddGuid(headers, MessageHeaders.InitiatorId, context.InitiatorId);
        Add(headers, MessageHeaders.SourceAddress, context.SourceAddress?.ToString());
        Add(headers, MessageHeaders.ResponseAddress, context.ResponseAddress?.ToString());
        Add(headers, MessageHeaders.FaultAddress, context.FaultAddress?.ToString());
        if (context.SupportedMessageTypes is { Length: > 0 } types)
        {
            Add(headers, MessageHeaders.MessageType, string.Join(';', types));
        }

        Add(headers, MessageHeaders.ContentType, contentType);

        foreach (var (key, value) in context.Headers.GetAll())
        {
            if (IsWrittenAbove(key))
            {
                continue;
            }

            if (KafkaHeaderValues.ToBytes(value) is { } bytes)
            {
                headers.Add(key, bytes);
            }
        }

        AddTraceContext(headers, context);
        return headers;
    }

    private static void AddTraceContext(Headers headers, SendContext context)
    {
        // Inside the send activity Activity.Current is the producer span; a consumer anywhere continues from it.
        var traceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity
            ? activity.Id
            : context.Headers.Get<string>(DiagnosticHeaders.ActivityId);
        Add(headers, KafkaHeaders.TraceParent, traceParent);
        if (Activity.Current?.TraceStateString is { Length: > 0 } traceState)
        {
            Add(headers, KafkaHeaders.TraceState, traceState);
        }
    }

    private static bool IsWrittenAbove(string key) => WrittenAbove.Contains(key);

    private static void AddGuid(Headers headers, string key, Guid? value)
    {
        if (value is { } id)
        {
            Add(headers, key, id.ToString("D"));
        }
    }

    private static void Add(Headers headers, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers.Add(key, System.Text.Encoding.UTF8.GetBytes(value));
        }
    }
}
