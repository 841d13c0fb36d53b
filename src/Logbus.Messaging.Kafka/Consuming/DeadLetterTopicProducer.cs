using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Diagnostics;
using Logbus.Messaging.Kafka.Producing;
using MassTransit;
using Headers = Confluent.Kafka.Headers;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// Gives up on a record loudly: produces it unchanged (key, value, headers, timestamp) to the endpoint's dead-letter
/// topic, with the exception and the record's origin added as headers, and only then lets its offset be committed.
/// </summary>
/// <remarks>
/// Added headers: <c>MT-Fault-ExceptionType</c>, <c>MT-Fault-Message</c>, <c>MT-Fault-StackTrace</c>,
/// <c>MT-Fault-Timestamp</c>, <c>MT-Fault-InputAddress</c>, <see cref="KafkaHeaders.FaultAttempts"/>,
/// <see cref="KafkaHeaders.OriginalTopic"/>, <see cref="KafkaHeaders.OriginalPartition"/>,
/// <see cref="KafkaHeaders.OriginalOffset"/> and <see cref="KafkaHeaders.OriginalGroup"/>. If the dead-letter topic
/// cannot be written, the record is not committed: the producer retries with back-off until it succeeds or the
/// partition is revoked.
/// </remarks>
internal sealed class DeadLetterTopicProducer(KafkaProducerPool producers, KafkaTopicEndpointSettings settings)
{
    private const int MaxStackTraceLength = 16 * 1024;

    public string Topic => settings.DeadLetterTopic;

    public async Task<bool> ProduceAsync(ConsumeResult<byte[], byte[]> record, Exception exception, int attempts, CancellationToken cancellationToken)
    {
        var message = new Message<byte[], byte[]>
        {
            Key = record.Message.Key,
            Value = record.Message.Value,
            Timestamp = record.Message.Timestamp,
            Headers = Headers(record, exception, attempts),
        };

        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                await producers.Producer.ProduceAsync(Topic, message, cancellationToken);
                KafkaConsumerMetrics.DeadLettered(record.Topic, Topic, settings.GroupId);
                LogContext.Error?.Log(exception,
                    "Kafka record {Topic}[{Partition}]@{Offset} failed after {Attempts} attempt(s) and was dead-lettered to {DeadLetterTopic}",
                    record.Topic, record.Partition.Value, record.Offset.Value, attempts, Topic);
                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (KafkaException produceFailure)
            {
                LogContext.Error?.Log(produceFailure,
                    "Kafka record {Topic}[{Partition}]@{Offset} failed and could not be dead-lettered to {DeadLetterTopic}; retrying in {Delay}",
                    record.Topic, record.Partition.Value, record.Offset.Value, Topic, delay);
            }

            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 30_000));
        }
    }

    private Headers Headers(ConsumeResult<byte[], byte[]> record, Exception exception, int attempts)
    {
        var headers = new Headers();
        if (record.Message.Headers is { } original)
        {
            foreach (var header in original)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        var fault = exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : exception;
        var stack = fault.ToString();
        Add(headers, MessageHeaders.FaultExceptionType, fault.GetType().FullName ?? fault.GetType().Name);
        Add(headers, MessageHeaders.FaultMessage, fault.Message);
        Add(headers, MessageHeaders.FaultStackTrace, stack.Length > MaxStackTraceLength ? stack[..MaxStackTraceLength] : stack);
        Add(headers, MessageHeaders.FaultTimestamp, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        Add(headers, MessageHeaders.FaultInputAddress, TopicAddress.For(record.Topic).ToString());
        Add(headers, KafkaHeaders.FaultAttempts, attempts.ToString(CultureInfo.InvariantCulture));
        Add(headers, KafkaHeaders.OriginalTopic, record.Topic);
        Add(headers, KafkaHeaders.OriginalPartition, record.Partition.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, KafkaHeaders.OriginalOffset, record.Offset.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, KafkaHeaders.OriginalGroup, settings.GroupId);
        return headers;
    }

    private static void Add(Headers headers, string key, string value)
    {
        headers.Remove(key);
        headers.Add(key, Encoding.UTF8.GetBytes(value));
    }
}
