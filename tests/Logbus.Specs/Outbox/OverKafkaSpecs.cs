using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Kafka;
using Logbus.Specs.Outbox.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Specs.Outbox;

/// <summary>The outbox and the inbox with the Kafka rider: the path of a log event from the Api to the Worker.</summary>
[Trait("Kind", "Integration")]
public sealed class OverKafkaSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_request_publishes_to_a_topic_through_the_outbox_and_a_message_produced_twice_is_stored_once()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var broker = SharedServers.Kafka;
        var topic = SpecNames.Unique("items");
        broker.CreateTopic(topic, 2);
        var probe = new SpecProbe();
        var item = Guid.NewGuid();

        // The Api: a web-style request produces through the scoped topic producer, which writes to the bus outbox.
        await using (var api = await StartAsync(db, probe, topic, deliver: false, consume: false, name: "api"))
        {
            await api.InScopeAsync(async sp =>
            {
                var context = sp.GetRequiredService<OutboxSpecDbContext>();
                await using var transaction = await context.Database.BeginTransactionAsync();
                await sp.GetRequiredService<ITopicProducer<SubmitItem>>().Produce(new SubmitItem(item));
                await context.SaveChangesAsync();
                await transaction.CommitAsync();
            });
        }

        Assert.Equal($"topic:{topic}", await db.ScalarAsync<string>("SELECT destination_address FROM messaging.outbox_message"));
        // At least once: a delivery whose commit was lost sends the message again. Stage that with a copy of the outbox.
        await db.ExecuteAsync("""
            WITH copy AS (INSERT INTO messaging.outbox_state (outbox_id, created) VALUES (gen_random_uuid(), now()) RETURNING outbox_id)
            INSERT INTO messaging.outbox_message (sequence_number, message_id, outbox_id, sent_time, headers, properties, content_type,
                message_type, body, conversation_id, correlation_id, initiator_id, request_id, source_address, destination_address)
            SELECT m.sequence_number + 1000000, m.message_id, copy.outbox_id, m.sent_time, m.headers, m.properties, m.content_type,
                m.message_type, m.body, m.conversation_id, m.correlation_id, m.initiator_id, m.request_id, m.source_address, m.destination_address
            FROM messaging.outbox_message m, copy
            """);

        // The Worker: delivers the outbox to Kafka, and consumes the topic behind the inbox.
        await using var worker = await StartAsync(db, probe, topic, deliver: true, consume: true, name: "worker");

        var records = RawRecords.ReadAll(broker.BootstrapServers, topic, 2, Patience);
        Assert.Equal(2, records.Count);
        Assert.Single(records.Select(r => RawRecords.Header(r, "MessageId")).Distinct());
        await Eventually.TrueAsync(async () => probe.RunsOf(item) > 1 || await db.ScalarAsync<int>(
                "SELECT coalesce(max(receive_count), 0) FROM messaging.inbox_state") >= 2, Patience, "both copies were consumed");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Equal(1, probe.RunsOf(item));
        Assert.Equal(1, await MessagingRows.ProcessedAsync(db, item));
        await Eventually.TrueAsync(() => probe.Messages<ItemStored>().Count == 1, Patience, "the consumer's announcement arrived");
    }

    private static Task<OutboxSpecHost> StartAsync(SpecDatabase db, SpecProbe probe, string topic, bool deliver, bool consume, string name) =>
        OutboxSpecHost.StartAsync(db, probe,
            x =>
            {
                x.AddPgOutbox<OutboxSpecDbContext>(o => o.UseBusOutbox(b => b.DeliveryServiceEnabled = deliver));
                x.AddConsumer<Recorder>();
                x.AddRider(r =>
                {
                    r.AddConsumer<ItemConsumer>();
                    r.AddProducer<SubmitItem>(topic, m => m.ItemId.ToString());
                    r.UsingKafka((context, k) =>
                    {
                        k.Host(SharedServers.Kafka.BootstrapServers);
                        if (consume)
                        {
                            k.TopicEndpoint<SubmitItem>(topic, "store-items", e =>
                            {
                                e.UseMessageRetry(retry => retry.Immediate(5));
                                e.UsePgOutbox<OutboxSpecDbContext>(context);
                                e.ConfigureConsumer<ItemConsumer>(context);
                            });
                        }
                    });
                });
            },
            (context, bus) => bus.ReceiveEndpoint("recorder", e => e.ConfigureConsumer<Recorder>(context)),
            name: name);
}
