using System.Diagnostics.CodeAnalysis;
using System.Text;
using Confluent.Kafka;
using MassTransit;
using MassTransit.Logging;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// The headers of a consumed record as MassTransit transport headers: every Kafka header as a UTF-8 string, plus a
/// deterministic <c>MessageId</c> when the producer sent none, plus MassTransit's activity header taken from a W3C
/// <c>traceparent</c> so traces from any producer continue through the receive pipe.
/// </summary>
internal sealed class KafkaHeaderProvider(ConsumeResult<byte[], byte[]> record) : IHeaderProvider
{
    // MassTransit reads the message id many times per record (logs, activities, the consume context): hash once.
    private string? _synthesizedMessageId;

    public IEnumerable<KeyValuePair<string, object>> GetAll()
    {
        var hasMessageId = false;
        var hasActivity = false;
        if (record.Message.Headers is { } headers)
        {
            foreach (var header in headers)
            {
                hasMessageId |= string.Equals(header.Key, MessageHeaders.MessageId, StringComparison.OrdinalIgnoreCase);
                hasActivity |= string.Equals(header.Key, DiagnosticHeaders.ActivityId, StringComparison.OrdinalIgnoreCase);
                yield return new KeyValuePair<string, object>(header.Key, Decode(header));
            }
        }

        if (!hasMessageId)
        {
            yield return new KeyValuePair<string, object>(MessageHeaders.MessageId, SynthesizedMessageId());
        }

        if (!hasActivity && Find(KafkaHeaders.TraceParent) is { } traceParent)
        {
            yield return new KeyValuePair<string, object>(DiagnosticHeaders.ActivityId, traceParent);
        }
    }

    public bool TryGetHeader(string key, [NotNullWhen(true)] out object? value)
    {
        if (Find(key) is { } found)
        {
            value = found;
            return true;
        }

        if (string.Equals(key, MessageHeaders.MessageId, StringComparison.OrdinalIgnoreCase))
        {
            value = SynthesizedMessageId();
            return true;
        }

        if (string.Equals(key, DiagnosticHeaders.ActivityId, StringComparison.OrdinalIgnoreCase) && Find(KafkaHeaders.TraceParent) is { } traceParent)
        {
            value = traceParent;
            return true;
        }

        value = null;
        return false;
    }

    private string SynthesizedMessageId() =>
        _synthesizedMessageId ??= DeterministicMessageId.For(record.Topic, record.Partition.Value, record.Offset.Value).ToString("D");

    private string? Find(string key)
    {
        if (record.Message.Headers is not { } headers)
        {
            return null;
        }

        // Kafka allows repeated keys; the last one written wins, as with a dictionary.
        for (var i = headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(headers[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return Decode(headers[i]);
            }
        }

        return null;
    }

    private static string Decode(IHeader header) =>
        header.GetValueBytes() is { } bytes ? Encoding.UTF8.GetString(bytes) : "";
}
