using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// Which librdkafka errors of a produce no retry can fix: the record itself is refused (too large for the producer's
/// <c>message.max.bytes</c> or the topic's <c>max.message.bytes</c>, or invalid). Every other error (brokers away,
/// leaders moving, timeouts, authorization that an operator may still grant) may pass and is worth another attempt.
/// </summary>
public static class KafkaProduceFailures
{
    /// <summary>The record is larger than the producer or the broker accepts.</summary>
    public const string TooLarge = "too_large";

    /// <summary>The broker refuses the record for a reason that stays with it.</summary>
    public const string Refused = "refused";

    /// <summary><see cref="TooLarge"/> or <see cref="Refused"/> for a permanent error anywhere in the chain; otherwise null.</summary>
    public static string? PermanentReason(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is KafkaException kafka && PermanentReason(kafka.Error.Code) is { } reason)
            {
                return reason;
            }

            if (e is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(PermanentReason).FirstOrDefault(r => r is not null);
            }
        }

        return null;
    }

    public static string? PermanentReason(ErrorCode code) => code switch
    {
        ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidMsgSize => TooLarge,
        ErrorCode.InvalidRecord or ErrorCode.InvalidTimestamp or ErrorCode.UnsupportedForMessageFormat => Refused,
        _ => null,
    };
}
