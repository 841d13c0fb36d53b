using Logbus.Messaging.Kafka.Configuration;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// What a topic endpoint does with a record whose receive pipe faulted (after the endpoint's own retries): the
/// endpoint's <see cref="KafkaFaultHandling"/>. Runs on the lane worker that ran the record.
/// </summary>
internal interface IRecordFaultPolicy
{
    /// <summary>
    /// Settles the faulted record, or waits before it runs again. True: run it through the receive pipe again; false:
    /// the lane is done with it (dead-lettered and completed, or given up because the partition was revoked).
    /// </summary>
    Task<bool> HandleAsync(LaneRecord record, PartitionLane lane, Exception failure);

    static IRecordFaultPolicy For(KafkaReceiveEndpointContext context) =>
        context.Settings.FaultHandling == KafkaFaultHandling.DeadLetter
            ? new DeadLetterFaultPolicy(context.DeadLetters)
            : new RedeliverFaultPolicy(context.Settings);
}
