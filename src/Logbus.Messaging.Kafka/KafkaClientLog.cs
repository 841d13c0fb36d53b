using Confluent.Kafka;
using MassTransit;

namespace Logbus.Messaging.Kafka;

/// <summary>librdkafka's own log lines, routed to MassTransit's log at a matching level.</summary>
internal static class KafkaClientLog
{
    public static void Write(LogMessage message)
    {
        switch (message.Level)
        {
            case SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error:
                LogContext.Error?.Log("librdkafka {Name} {Facility}: {Message}", message.Name, message.Facility, message.Message);
                break;
            case SyslogLevel.Warning:
                LogContext.Warning?.Log("librdkafka {Name} {Facility}: {Message}", message.Name, message.Facility, message.Message);
                break;
            default:
                LogContext.Debug?.Log("librdkafka {Name} {Facility}: {Message}", message.Name, message.Facility, message.Message);
                break;
        }
    }
}
