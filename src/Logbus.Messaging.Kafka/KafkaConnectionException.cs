using MassTransit;

namespace Logbus.Messaging.Kafka;

/// <summary>The rider could not reach or use the Kafka brokers. Transient: the rider keeps trying by itself.</summary>
public sealed class KafkaConnectionException : ConnectionException
{
    public KafkaConnectionException()
    {
    }

    public KafkaConnectionException(string message)
        : base(message, isTransient: true)
    {
    }

    public KafkaConnectionException(string message, Exception innerException)
        : base(message, innerException, isTransient: true)
    {
    }
}
