using MassTransit;
using MassTransit.Middleware;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// The transport pipe of a topic endpoint: ensures the topics exist, starts the group members, reports the endpoint
/// ready, and stays until they stop. A member that failed fatally fails the transport, and MassTransit's receive
/// transport starts a fresh one after its retry delay.
/// </summary>
internal sealed class KafkaConsumerFilter(KafkaReceiveEndpointContext context) : IFilter<KafkaConsumerContext>
{
    public async Task Send(KafkaConsumerContext consumerContext, IPipe<KafkaConsumerContext> next)
    {
        ArgumentNullException.ThrowIfNull(consumerContext);
        ArgumentNullException.ThrowIfNull(next);

        await context.Rider.Topics.EnsureExistsAsync(context.Settings, consumerContext.CancellationToken);

        var members = Enumerable.Range(0, context.Settings.ConsumerCount).Select(i => new KafkaMessageConsumer(context, i)).ToArray();
        var supervisor = new MembersSupervisor(members);
        context.AddConsumeAgent(supervisor);
        context.Rider.Track(members);
        await context.TransportObservers.NotifyReady(context.InputAddress);
        try
        {
            await supervisor.Completed;
        }
        finally
        {
            context.Rider.Untrack(members);
            var metrics = new CombinedMetrics(members);
            await context.TransportObservers.NotifyCompleted(context.InputAddress, metrics);
            LogContext.Debug?.Log("Kafka topic endpoint {Topic} ({Group}) stopped after {Count} deliveries", context.Settings.Topic,
                context.Settings.GroupId, metrics.DeliveryCount);
        }

        if (members.FirstOrDefault(m => m.Failure is not null)?.Failure is { } failure)
        {
            throw new KafkaConnectionException($"A consumer of {context.Settings.Topic} ({context.Settings.GroupId}) failed", failure);
        }

        await next.Send(consumerContext);
    }

    public void Probe(ProbeContext probeContext) => probeContext.CreateFilterScope("kafkaConsumer");

    /// <summary>Stops every member as soon as one stops, so the endpoint restarts them together.</summary>
    private sealed class MembersSupervisor : Supervisor
    {
        public MembersSupervisor(KafkaMessageConsumer[] members)
        {
            foreach (var member in members)
            {
                Add(member);
                member.Completed.ContinueWith(_ => StopAll(), TaskScheduler.Default);
            }

            SetReady();
        }

        private async Task StopAll()
        {
            if (IsStopping)
            {
                return;
            }

            try
            {
                await this.Stop("A Kafka consumer stopped");
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private sealed class CombinedMetrics(KafkaMessageConsumer[] members) : DeliveryMetrics
    {
        public long DeliveryCount { get; } = members.Sum(m => m.DeliveryCount);

        public int ConcurrentDeliveryCount { get; } = members.Sum(m => m.ConcurrentDeliveryCount);
    }
}
