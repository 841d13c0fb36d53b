using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using Logbus.Messaging.Kafka.Diagnostics;
using MassTransit;
using MassTransit.Logging;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// How a consumer learns it skipped records. When the broker no longer has a member's position (retention deleted the
/// records before they were read), librdkafka jumps to <c>auto.offset.reset</c>; with <c>earliest</c> or <c>latest</c>
/// (the rider's default is earliest) no consume error reaches the application, and the only sign is a warning log line
/// of facility <c>OFFSET</c>. Resets that skip nothing (a group's first start without a committed offset) are debug lines.
/// </summary>
internal static class OffsetResetLog
{
    public static bool IsSkip(LogMessage message) =>
        message.Level <= SyslogLevel.Warning
        && message.Facility == "OFFSET"
        && message.Message.Contains("offset reset", StringComparison.Ordinal);

    /// <summary>Counts and logs a skip: the records between the lost position and the reset offset are gone. Never quiet.</summary>
    public static void Report(KafkaTopicEndpointSettings settings, ILogContext logContext, string reason)
    {
        KafkaConsumerMetrics.OffsetReset(settings.Topic, settings.GroupId);
        LogContext.SetCurrentIfNull(logContext);
        LogContext.Error?.Log("Kafka consumer {Topic} ({Group}) skipped records the broker had already deleted: {Reason}. "
            + "The consumer fell further behind than the topic's retention; raise retention or consume faster.",
            settings.Topic, settings.GroupId, reason);
    }
}
