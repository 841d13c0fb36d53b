using MassTransit;
using MassTransit.Configuration;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// Counts each run of the consume pipe for a record. Added after the endpoint's own middleware, so it sits inside
/// <c>UseMessageRetry</c> and sees every attempt; the dead-letter headers report the count.
/// </summary>
internal sealed class DeliveryAttemptFilter : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        if (context.ReceiveContext.TryGetPayload<KafkaDeliveryAttempts>(out var attempts))
        {
            attempts.Add();
        }

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("kafkaDeliveryAttempts");

    public sealed class Specification : IPipeSpecification<ConsumeContext>
    {
        public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(new DeliveryAttemptFilter());

        public IEnumerable<ValidationResult> Validate() => [];
    }
}
