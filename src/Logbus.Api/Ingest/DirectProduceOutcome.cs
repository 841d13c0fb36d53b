namespace Logbus.Api.Ingest;

/// <summary>What became of a chunk offered to <see cref="DirectProducer"/>.</summary>
public enum DirectProduceOutcome
{
    /// <summary>The broker acknowledged it.</summary>
    Produced,

    /// <summary>
    /// Not tried: the retention guard holds the topic because its consumers are far behind. Kafka itself is fine; the
    /// chunk may wait for the hold to lift or go to the outbox.
    /// </summary>
    Held,

    /// <summary>Not taken: direct produce is off, the breaker is open, or the broker failed, refused or timed out.</summary>
    NotTaken,
}
