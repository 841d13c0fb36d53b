namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>What a topic endpoint does with a record whose receive pipe still fails after the endpoint's retries.</summary>
public enum KafkaFaultHandling
{
    /// <summary>
    /// Produce the original record, with the exception and its origin in headers, to the dead-letter topic, then
    /// commit past it so the partition moves on.
    /// </summary>
    DeadLetter,

    /// <summary>
    /// Keep the record and run it through the receive pipe again after a growing delay, until it succeeds. The
    /// partition waits behind it (paused, so the group does not expel the member); other partitions go on.
    /// </summary>
    Redeliver,
}
