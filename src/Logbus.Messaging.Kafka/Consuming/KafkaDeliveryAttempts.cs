namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>How many times a record's consume pipe ran (retries included); kept on the receive context as a payload.</summary>
internal sealed class KafkaDeliveryAttempts
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);
}
