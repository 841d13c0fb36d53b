using System.Diagnostics.Metrics;
using System.Text.Json;
using Logbus.Messaging.EntityFrameworkCore.BusOutbox;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Model;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Outbox.Support;
using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Specs.Outbox;

/// <summary>The bus outbox of web-style requests and its delivery service, on real PostgreSQL.</summary>
[Trait("Kind", "Integration")]
public sealed class BusOutboxSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Long enough that a spec passing within <see cref="Patience"/> cannot have been woken by a poll.</summary>
    private static readonly TimeSpan NoPolling = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_request_publishes_only_what_its_transaction_commits()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartAsync(db, probe);
        var rolledBack = Guid.NewGuid();
        var committed = Guid.NewGuid();

        await RequestAsync(host, rolledBack, 3, commit: false);
        await RequestAsync(host, committed, 3);

        await Eventually.TrueAsync(() => probe.Messages<RequestAccepted>().Count == 3, Patience, "the committed request's messages arrived");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.All(probe.Messages<RequestAccepted>(), m => Assert.Equal(committed, m.RequestId));
        Assert.Equal(3, probe.Messages<RequestAccepted>().Count);
        Assert.Equal(1, await MessagingRows.ProcessedAsync(db, committed));
        Assert.Equal(0, await MessagingRows.ProcessedAsync(db, rolledBack));
    }

    [Fact]
    public async Task Messages_of_one_transaction_are_delivered_in_the_order_they_were_published()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartAsync(db, probe, recorderConcurrency: 1);
        var request = Guid.NewGuid();

        // Two SaveChanges inside one transaction: still one outbox, one order.
        await host.InScopeAsync(async sp =>
        {
            var context = sp.GetRequiredService<OutboxSpecDbContext>();
            var publish = sp.GetRequiredService<IPublishEndpoint>();
            await using var transaction = await context.Database.BeginTransactionAsync();
            for (var i = 0; i < 150; i++)
            {
                await publish.Publish(new RequestAccepted(request, i));
                if (i == 70)
                {
                    await context.SaveChangesAsync();
                }
            }

            await context.SaveChangesAsync();
            Assert.Equal(1, await context.Set<OutboxState>().CountAsync());
            await transaction.CommitAsync();
        });

        await Eventually.TrueAsync(() => probe.Messages<RequestAccepted>().Count == 150, Patience, "all 150 messages arrived");
        Assert.Equal(Enumerable.Range(0, 150), probe.Messages<RequestAccepted>().Select(m => m.Index));
    }

    [Fact]
    public async Task Four_competing_delivery_services_deliver_300_messages_exactly_once()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using (var writer = await StartAsync(db, probe, b => b.DeliveryServiceEnabled = false))
        {
            var requests = Enumerable.Range(0, 60).Select(_ => Guid.NewGuid()).ToList();
            foreach (var batch in requests.Chunk(6))
            {
                await Task.WhenAll(batch.Select(r => RequestAsync(writer, r, 5)));
            }
        }

        Assert.Equal(300, await MessagingRows.OutboxMessagesAsync(db));
        var deliverers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            StartAsync(db, probe, b => b.ClaimBatchSize = 3, name: $"deliverer-{i}")));
        try
        {
            await Eventually.TrueAsync(() => probe.Messages<RequestAccepted>().Count >= 300, Patience, "300 messages arrived");
            await MessagingRows.SettledAsync(db, Patience);
        }
        finally
        {
            await Task.WhenAll(deliverers.Select(d => d.DisposeAsync().AsTask()));
        }

        var received = probe.ReceivedMessages.Where(r => r.Message is RequestAccepted).ToList();
        Assert.Equal(300, received.Count);
        Assert.Equal(300, received.Select(r => r.MessageId).Distinct().Count());
        Assert.Equal(300, received.Select(r => (RequestAccepted)r.Message).Distinct().Count());
    }

    [Fact]
    public async Task Rows_committed_by_a_process_that_then_died_are_delivered_by_the_next()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        var request = Guid.NewGuid();
        await using (var dying = await StartAsync(db, probe, b => b.DeliveryServiceEnabled = false))
        {
            await RequestAsync(dying, request, 25);
        }

        Assert.Equal(25, await MessagingRows.OutboxMessagesAsync(db));
        await using var next = await StartAsync(db, probe);

        await Eventually.TrueAsync(() => probe.Messages<RequestAccepted>().Count == 25, Patience, "the next process delivered all 25");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Equal(25, probe.Messages<RequestAccepted>().Count);
    }

    [Fact]
    public async Task Rows_claimed_by_a_delivery_service_whose_process_died_are_delivered_by_another()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        var hanging = new FakeTopicProducer { Blocked = true };
        var working = new FakeTopicProducer();
        await using var dying = await StartAsync(db, probe, services: s => s.AddKeyedSingleton<ISendEndpointProvider>("topic", hanging),
            name: "dying");
        await ProduceAsync(dying, "topic:orders", 10);
        await hanging.FirstSendStarted.WaitAsync(Patience);

        // The claiming process is gone: PostgreSQL sees its connections drop and rolls its transaction back.
        await db.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dying'");
        await using var next = await StartAsync(db, probe, services: s => s.AddKeyedSingleton<ISendEndpointProvider>("topic", working), name: "next");

        await Eventually.TrueAsync(() => working.ProducedRecords.Count == 10, Patience, "the other process produced all 10");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Empty(hanging.ProducedRecords);
        Assert.Equal(10, working.ProducedRecords.Select(p => p.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task A_delivery_service_in_another_process_is_woken_by_NOTIFY_without_polling()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var deliverer = await StartAsync(db, probe, b => b.PollInterval = NoPolling, name: "deliverer");
        await using var writer = await StartAsync(db, probe, b => b.DeliveryServiceEnabled = false, name: "writer");
        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'deliverer' AND query LIKE 'LISTEN%'") == 1,
            Patience, "the delivery service listens");
        await Task.Delay(TimeSpan.FromSeconds(1));

        await RequestAsync(writer, Guid.NewGuid(), 3);

        await Eventually.TrueAsync(() => probe.Messages<RequestAccepted>().Count == 3, TimeSpan.FromSeconds(15),
            "the other process delivered the messages");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_delivery_service_wakes_when_a_request_in_its_process_commits(bool explicitTransaction)
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartAsync(db, probe, b =>
        {
            b.PollInterval = NoPolling;
            b.ListenForNotifications = false;
        });
        await Task.Delay(TimeSpan.FromSeconds(1));

        await RequestAsync(host, Guid.NewGuid(), 2, explicitTransaction: explicitTransaction);

        await Eventually.TrueAsync(() => probe.Messages<RequestAccepted>().Count == 2, TimeSpan.FromSeconds(15), "the messages were delivered");
    }

    [Fact]
    public async Task The_backlog_gauges_report_pending_messages_and_the_age_of_the_oldest()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartAsync(db, probe, b =>
        {
            b.DeliveryServiceEnabled = false;
            b.BacklogRefreshInterval = TimeSpan.FromMilliseconds(200);
        });
        await RequestAsync(host, Guid.NewGuid(), 7);
        await Task.Delay(TimeSpan.FromSeconds(1));

        using var meters = new MessagingMeterReadings(host.Get<IMeterFactory>());

        await Eventually.TrueAsync(() => meters.Gauge("outbox.pending") == 7, Patience,
            "the pending gauge shows the 7 committed messages");
        Assert.InRange(meters.Gauge("outbox.oldest_age") ?? 0, 0.5, 60);

        // As a service's /metrics shows them: prometheus-net exports .NET meters.
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var hostMeters = host.Get<IMeterFactory>();
        using (Prometheus.MeterAdapter.StartListening(new Prometheus.MeterAdapterOptions
               {
                   Registry = registry,
                   MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
                   InstrumentFilterPredicate = i => i.Meter.Name == MessagingMetrics.MeterName && ReferenceEquals(i.Meter.Scope, hostMeters),
               }))
        {
            using var scrape = new MemoryStream();
            await registry.CollectAndExportAsTextAsync(scrape);
            var text = System.Text.Encoding.UTF8.GetString(scrape.ToArray());
            Assert.Contains("\nlogbus_messaging_outbox_pending{db_context=\"OutboxSpecDbContext\"} 7\n", text, StringComparison.Ordinal);
            Assert.Contains("\nlogbus_messaging_outbox_oldest_age{db_context=\"OutboxSpecDbContext\"} ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_delivery_round_loads_message_bodies_up_to_its_byte_limit_and_later_rounds_deliver_the_rest_in_order()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        var producer = new FakeTopicProducer();
        // Rounds are driven by hand: the delivery service of this host is registered, not started.
        await using var deliverer = await StartAsync(db, probe, b =>
            {
                b.DeliveryServiceEnabled = false;
                b.MessageBatchBytes = 1024 * 1024;
            },
            services: Producing(producer), name: "deliverer");
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await ProducePaddedAsync(deliverer, first, 6, 200_000);
        await ProducePaddedAsync(deliverer, second, 6, 200_000);
        var service = deliverer.Get<PgBusOutboxDeliveryService<OutboxSpecDbContext>>();

        var rounds = new List<int>();
        while (producer.ProducedRecords.Count < 12 && rounds.Count < 20)
        {
            rounds.Add((await service.DeliverOnceAsync(CancellationToken.None)).Delivered);
        }

        // Bodies of about 200 KB against 1 MiB a round: five at most, and at least one however large.
        Assert.All(rounds, delivered => Assert.InRange(delivered, 1, 5));
        Assert.Equal(12, rounds.Sum());
        var produced = producer.ProducedRecords.Select(p => JsonDocument.Parse(p.Body).RootElement).ToList();
        Assert.Equal(12, producer.ProducedRecords.Select(p => p.MessageId).Distinct().Count());
        foreach (var request in new[] { first, second })
        {
            var indexes = produced.Where(m => m.GetProperty("requestId").GetGuid() == request).Select(m => m.GetProperty("index").GetInt32());
            Assert.Equal(Enumerable.Range(0, 6), indexes);
        }

        Assert.Equal(0, await MessagingRows.OutboxMessagesAsync(db));
    }

    [Fact]
    public async Task A_round_reads_no_body_of_a_held_destination_puts_its_outbox_off_and_delivers_it_in_order_once_the_hold_lifts()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        var producer = new FakeTopicProducer();
        var hold = new SwitchableHold(new Uri("topic:log-events"));
        await using var deliverer = await StartAsync(db, probe, b =>
            {
                b.DeliveryServiceEnabled = false;
                b.HoldRecheckInterval = TimeSpan.Zero;
            },
            services: s => s
                .AddKeyedSingleton<ISendEndpointProvider>("topic", producer)
                .AddSingleton<IOutboxDeliveryHold>(hold), name: "deliverer");
        var held = Guid.NewGuid();
        await ProducePaddedAsync(deliverer, held, 6, 200_000);
        await ProduceAsync(deliverer, "topic:imports", 3);
        var service = deliverer.Get<PgBusOutboxDeliveryService<OutboxSpecDbContext>>();

        var whileHeld = await service.DeliverOnceAsync(CancellationToken.None);

        // Only the three small messages to the free topic were read and sent; the 1.2 MB to the held one stayed unread.
        Assert.Equal((2, 3, 3, 1), (whileHeld.Claimed, whileHeld.Loaded, whileHeld.Delivered, whileHeld.Held));
        Assert.All(producer.ProducedRecords, p => Assert.Equal(new Uri("topic:imports"), p.Topic));
        // A hold counts what it lets through (the retention guard reserves room for it): only the messages sent are asked
        // so; the look ahead that left the held bodies unread counted nothing, or the hold would never lift.
        Assert.Equal(3, hold.AskedBeforeSending);
        Assert.Equal(6, await MessagingRows.OutboxMessagesAsync(db));

        hold.Holding = false;
        var rounds = 0;
        while (producer.ProducedRecords.Count < 9 && rounds++ < 5)
        {
            await service.DeliverOnceAsync(CancellationToken.None);
        }

        var indexes = producer.ProducedRecords.Where(p => p.Topic == new Uri("topic:log-events"))
            .Select(p => JsonDocument.Parse(p.Body).RootElement.GetProperty("index").GetInt32());
        Assert.Equal(Enumerable.Range(0, 6), indexes);
        Assert.Equal(0, await MessagingRows.OutboxMessagesAsync(db));
    }

    /// <summary>The contract with the Kafka rider, points 2 and 4.</summary>
    [Fact]
    public async Task A_request_sends_to_a_topic_through_the_outbox_and_the_keyed_topic_provider_produces_it()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        var producer = new FakeTopicProducer();
        await using var host = await StartAsync(db, probe, services: Producing(producer));
        var request = Guid.NewGuid();
        Guid? messageId = null;

        await host.InScopeAsync(async sp =>
        {
            var provider = sp.GetRequiredService<ISendEndpointProvider>();
            Assert.IsType<OutboxSendEndpointProvider>(provider);
            Assert.IsType<OutboxSendEndpointProvider>(sp.GetRequiredService<IScopedBusContextProvider<IBus>>().Context.SendEndpointProvider);
            var endpoint = await provider.GetSendEndpoint(new Uri("topic:log-events"));
            await endpoint.Send(new RequestAccepted(request, 7), send =>
            {
                send.Headers.Set("Kafka-Key", "source-a");
                messageId = send.MessageId;
            });
            Assert.Equal(0, await MessagingRows.OutboxMessagesAsync(db));
            await sp.GetRequiredService<OutboxSpecDbContext>().SaveChangesAsync();
            Assert.Equal("topic:log-events", await db.ScalarAsync<string>("SELECT destination_address FROM messaging.outbox_message"));
        });

        await Eventually.TrueAsync(() => producer.ProducedRecords.Count == 1, Patience, "the record was produced");
        var record = producer.ProducedRecords[0];
        Assert.Equal(new Uri("topic:log-events"), record.Topic);
        Assert.Equal(messageId, record.MessageId);
        Assert.Equal("source-a", record.Key);
        Assert.Contains(request.ToString(), record.Body, StringComparison.Ordinal);
        await MessagingRows.SettledAsync(db, Patience);
    }

    [Fact]
    public async Task A_send_to_a_topic_is_stored_as_raw_JSON_and_produced_with_its_stored_body_as_it_is_and_its_ids_beside_it()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        var producer = new FakeTopicProducer();
        await using var host = await StartAsync(db, probe, b => b.DeliveryServiceEnabled = false,
            services: Producing(producer));
        using var meters = new MessagingMeterReadings(host.Get<IMeterFactory>());
        var request = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        var conversationId = NewId.NextGuid();
        await SendAsync(host, "topic:log-events", new RequestAccepted(request, 7), send =>
        {
            send.MessageId = messageId;
            send.ConversationId = conversationId;
            send.Headers.Set("Kafka-Key", "source-a");
        });
        // Counted as captured, though sent outside any consume (as an HTTP request sends), where MassTransit's own count is blind.
        Assert.Equal(1, meters.Counter("outbox.captured"));

        // Stored as the rider writes a direct produce: the message itself, no envelope around it.
        Assert.Equal("application/json", await db.ScalarAsync<string>("SELECT content_type FROM messaging.outbox_message"));
        var body = await db.ScalarAsync<string>("SELECT body FROM messaging.outbox_message");
        using (var stored = JsonDocument.Parse(body))
        {
            Assert.Equal(request, stored.RootElement.GetProperty("requestId").GetGuid());
            Assert.False(stored.RootElement.TryGetProperty("messageType", out _), body);
        }

        // Delivery sends the body as stored: spaces that writing it again would drop stay.
        var spaced = body.Replace(",", " ,  ", StringComparison.Ordinal);
        Assert.Equal(1, await db.ScalarAsync<int>("WITH changed AS (UPDATE messaging.outbox_message SET body = @body RETURNING 1) "
            + "SELECT count(*)::int FROM changed", ("body", spaced)));
        await host.Get<PgBusOutboxDeliveryService<OutboxSpecDbContext>>().DeliverOnceAsync(CancellationToken.None);

        var record = Assert.Single(producer.ProducedRecords);
        Assert.Equal(spaced, record.Body);
        // Read back as bytes and sent as those: a chunk of hundreds of kB was decoded into a string and encoded again.
        Assert.True(record.SentAsBytes);
        Assert.Equal("application/json", record.ContentType);
        Assert.Equal((messageId, conversationId, "source-a"), (record.MessageId, record.ConversationId, record.Key));
        Assert.Contains(MessageUrn.ForTypeString<RequestAccepted>(), record.MessageTypes);
        Assert.Equal(0, await MessagingRows.OutboxMessagesAsync(db));
    }

    [Fact]
    public async Task A_stored_raw_JSON_row_without_its_message_types_is_sent_with_the_types_its_stored_headers_name()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var producer = new FakeTopicProducer();
        await using var host = await StartAsync(db, new SpecProbe(), b => b.DeliveryServiceEnabled = false,
            services: Producing(producer));
        var urn = MessageUrn.ForTypeString<RequestAccepted>();
        await SendAsync(host, "topic:imports", new RequestAccepted(Guid.NewGuid(), 1), send => send.Headers.Set("MT-MessageType", urn));

        // As a row written by hand or by an older writer: a topic of several message types could not tell which this is.
        Assert.Equal(1, await db.ScalarAsync<int>(
            "WITH changed AS (UPDATE messaging.outbox_message SET message_type = '' RETURNING 1) SELECT count(*)::int FROM changed"));
        await host.Get<PgBusOutboxDeliveryService<OutboxSpecDbContext>>().DeliverOnceAsync(CancellationToken.None);

        Assert.Equal([urn], Assert.Single(producer.ProducedRecords).MessageTypes);
    }

    [Fact]
    public async Task With_CaptureEnvelopes_a_send_to_a_topic_is_stored_and_produced_in_MassTransits_envelope()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        var producer = new FakeTopicProducer();
        await using var host = await StartAsync(db, probe, b => b.CaptureEnvelopes = true,
            services: Producing(producer));

        await ProduceAsync(host, "topic:log-events", 1);

        await Eventually.TrueAsync(() => producer.ProducedRecords.Count == 1, Patience, "the record was produced");
        var record = producer.ProducedRecords[0];
        Assert.Equal("application/vnd.masstransit+json", record.ContentType);
        using var envelope = JsonDocument.Parse(record.Body);
        Assert.Equal(0, envelope.RootElement.GetProperty("message").GetProperty("index").GetInt32());
        Assert.Equal(record.MessageId, envelope.RootElement.GetProperty("messageId").GetGuid());
        await MessagingRows.SettledAsync(db, Patience);
    }

    internal static Task<OutboxSpecHost> StartAsync(SpecDatabase db, SpecProbe probe, Action<BusOutboxOptions>? outbox = null,
        Action<IServiceCollection>? services = null, string name = "api", int recorderConcurrency = 8) =>
        OutboxSpecHost.StartAsync(db, probe,
            x =>
            {
                x.AddPgOutbox<OutboxSpecDbContext>(o => o.UseBusOutbox(outbox));
                x.AddConsumer<Recorder>();
            },
            (context, bus) => bus.ReceiveEndpoint("recorder", e =>
            {
                e.ConcurrentMessageLimit = recorderConcurrency;
                e.ConfigureConsumer<Recorder>(context);
            }),
            services,
            name);

    /// <summary>A web-style request: its own scope, a business row and some messages, one transaction.</summary>
    internal static Task RequestAsync(OutboxSpecHost host, Guid request, int messages, bool commit = true, bool explicitTransaction = true) =>
        host.InScopeAsync(async sp =>
        {
            var context = sp.GetRequiredService<OutboxSpecDbContext>();
            var publish = sp.GetRequiredService<IPublishEndpoint>();
            await using var transaction = explicitTransaction ? await context.Database.BeginTransactionAsync() : null;
            context.ProcessedItems.Add(new ProcessedItem { ItemId = request });
            for (var i = 0; i < messages; i++)
            {
                await publish.Publish(new RequestAccepted(request, i));
            }

            await context.SaveChangesAsync();
            if (transaction is not null && commit)
            {
                await transaction.CommitAsync();
            }
        });

    /// <summary>One request's outbox: <paramref name="messages"/> messages to a topic, each padded to <paramref name="bytes"/>.</summary>
    private static Task ProducePaddedAsync(OutboxSpecHost host, Guid request, int messages, int bytes) =>
        host.InScopeAsync(async sp =>
        {
            var endpoint = await sp.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri("topic:log-events"));
            for (var i = 0; i < messages; i++)
            {
                await endpoint.Send(new PaddedRequestAccepted(request, i, new string('x', bytes)));
            }

            await sp.GetRequiredService<OutboxSpecDbContext>().SaveChangesAsync();
        });

    /// <summary>The specs' stand-in for the Kafka rider, registered where delivery looks for the <c>topic</c> scheme.</summary>
    private static Action<IServiceCollection> Producing(FakeTopicProducer producer) =>
        s => s.AddKeyedSingleton<ISendEndpointProvider>("topic", producer);

    /// <summary>One request's outbox: <paramref name="message"/> sent to <paramref name="address"/>, as <paramref name="configure"/> says.</summary>
    private static Task SendAsync(OutboxSpecHost host, string address, RequestAccepted message, Action<SendContext<RequestAccepted>> configure) =>
        host.InScopeAsync(async sp =>
        {
            var endpoint = await sp.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri(address));
            await endpoint.Send(message, configure);
            await sp.GetRequiredService<OutboxSpecDbContext>().SaveChangesAsync();
        });

    private static Task ProduceAsync(OutboxSpecHost host, string topic, int messages) =>
        host.InScopeAsync(async sp =>
        {
            var endpoint = await sp.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri(topic));
            for (var i = 0; i < messages; i++)
            {
                await endpoint.Send(new RequestAccepted(Guid.NewGuid(), i));
            }

            await sp.GetRequiredService<OutboxSpecDbContext>().SaveChangesAsync();
        });

    /// <summary>Holds one destination until told to stop.</summary>
    private sealed class SwitchableHold(Uri heldDestination) : IOutboxDeliveryHold
    {
        public bool Holding { get; set; } = true;

        /// <summary>Messages asked about right before their send: what the round planned to send, no more.</summary>
        public int AskedBeforeSending { get; private set; }

        public bool IsHeld(Uri destination)
        {
            AskedBeforeSending++;
            return IsHolding(destination);
        }

        public bool IsHolding(Uri destination) => Holding && destination == heldDestination;
    }
}
