using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

public sealed record TransferStarted(Guid TransferId, int Chunks);

public sealed record TransferChunkArrived(Guid TransferId, int Chunk);

public sealed class TransferState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string? CurrentState { get; set; }

    public int Expected { get; set; }

    public int Arrived { get; set; }
}

/// <summary>A plain MassTransit state machine: it knows nothing about Kafka.</summary>
public sealed class TransferStateMachine : MassTransitStateMachine<TransferState>
{
    public TransferStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, e => e.CorrelateById(m => m.Message.TransferId));
        Event(() => ChunkArrived, e => e.CorrelateById(m => m.Message.TransferId));

        Initially(When(Started).Then(c => c.Saga.Expected = c.Message.Chunks).TransitionTo(Receiving));
        During(Receiving, When(ChunkArrived)
            .Then(c => c.Saga.Arrived++)
            .If(c => c.Saga.Arrived == c.Saga.Expected, done => done.TransitionTo(Complete)));
    }

    public State? Receiving { get; private set; }

    public State? Complete { get; private set; }

    public Event<TransferStarted>? Started { get; private set; }

    public Event<TransferChunkArrived>? ChunkArrived { get; private set; }
}

[Trait("Kind", "Integration")]
public sealed class SagaSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task A_state_machine_on_a_topic_endpoint_takes_each_message_type_of_a_shared_topic_in_partition_order()
    {
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("transfers");
        broker.CreateTopic(topic, 3);
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddSagaStateMachine<TransferStateMachine, TransferState>().InMemoryRepository();
            r.AddProducer<TransferStarted>(topic, m => m.TransferId.ToString());
            r.AddProducer<TransferChunkArrived>(topic, m => m.TransferId.ToString());
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<TransferStarted>(topic, SpecNames.Unique("group"), e => e.ConfigureSaga<TransferState>(context));
            });
        });

        var transfers = Enumerable.Range(0, 5).Select(_ => NewId.NextGuid()).ToList();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var started = scope.ServiceProvider.GetRequiredService<ITopicProducer<TransferStarted>>();
            var chunks = scope.ServiceProvider.GetRequiredService<ITopicProducer<TransferChunkArrived>>();
            foreach (var id in transfers)
            {
                await started.Produce(new TransferStarted(id, 3));
                for (var chunk = 0; chunk < 3; chunk++)
                {
                    await chunks.Produce(new TransferChunkArrived(id, chunk));
                }
            }
        }

        var sagas = host.Services.GetRequiredService<IQuerySagaRepository<TransferState>>();
        await Eventually.TrueAsync(async () =>
        {
            var complete = await sagas.Find(new SagaQuery<TransferState>(s => s.CurrentState == "Complete"));
            return complete.Count() == transfers.Count;
        }, TimeSpan.FromSeconds(30), "every transfer completed");
    }
}
