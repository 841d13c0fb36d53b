using System.Diagnostics.Metrics;
using Logbus.Messaging.EntityFrameworkCore.Inbox;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Outbox.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Specs.Outbox;

/// <summary>The inbox and consumer outbox on real PostgreSQL, behind an in-memory MassTransit endpoint.</summary>
[Trait("Kind", "Integration")]
public sealed class ConsumerOutboxSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Uri Items = new("queue:items");

    [Fact]
    public async Task A_consumers_writes_and_publishes_commit_together()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartWorkerAsync(db, probe);
        var item = Guid.NewGuid();

        await SendAsync(host, new SubmitItem(item, Publishes: 3), NewId.NextGuid());

        await Eventually.TrueAsync(() => probe.Messages<ItemStored>().Count(m => m.ItemId == item) == 3, Patience, "the three announcements arrived");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Equal(1, await MessagingRows.ProcessedAsync(db, item));
        Assert.Equal(3, probe.Messages<ItemStored>().Count(m => m.ItemId == item));
        Assert.Equal([0, 1, 2], probe.Messages<ItemStored>().Where(m => m.ItemId == item).Select(m => m.Index).Order());
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state WHERE delivered IS NOT NULL"));
    }

    [Fact]
    public async Task A_consumer_that_fails_after_writing_and_publishing_leaves_neither_behind()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartWorkerAsync(db, probe, retry: false);
        var item = Guid.NewGuid();

        await SendAsync(host, new SubmitItem(item, Publishes: 2, FailAfterWork: true), NewId.NextGuid());

        await Eventually.TrueAsync(() => probe.Messages<FailedForGood>().Any(m => m.ItemId == item), Patience, "the message reached the error queue");
        await Task.Delay(500);
        Assert.Equal(1, probe.RunsOf(item));
        Assert.Equal(0, await MessagingRows.ProcessedAsync(db, item));
        Assert.Empty(probe.Messages<ItemStored>());
        Assert.Equal(0, await MessagingRows.OutboxMessagesAsync(db));
        Assert.Equal(0, await MessagingRows.InboxRowsAsync(db));
    }

    [Fact]
    public async Task A_message_sent_again_is_skipped()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartWorkerAsync(db, probe);
        using var meters = new MessagingMeterReadings(host.Get<IMeterFactory>());
        var item = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        await SendAsync(host, new SubmitItem(item), messageId);
        await Eventually.TrueAsync(() => probe.Messages<ItemStored>().Any(m => m.ItemId == item), Patience, "the first copy was processed");
        await MessagingRows.SettledAsync(db, Patience);
        var passes = await ReceiveCountAsync(db, messageId);

        await SendAsync(host, new SubmitItem(item), messageId);

        await Eventually.TrueAsync(async () => await ReceiveCountAsync(db, messageId) == passes + 1, Patience,
            "the second copy went through the inbox");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Equal(1, probe.RunsOf(item));
        Assert.Equal(1, await MessagingRows.ProcessedAsync(db, item));
        Assert.Single(probe.Messages<ItemStored>());
        Assert.Empty(probe.Messages<FailedForGood>());
        Assert.Equal(1, meters.Counter("inbox.consumed"));
        Assert.Equal(1, meters.Counter("inbox.duplicates"));
    }

    [Fact]
    public async Task Eight_copies_in_parallel_are_processed_once()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartWorkerAsync(db, probe);
        var items = new List<Guid>();

        // Several rounds, because which copy wins each race (and whether one copy delivers what another consumed)
        // differs from run to run.
        for (var round = 0; round < 4; round++)
        {
            var item = Guid.NewGuid();
            var messageId = NewId.NextGuid();
            items.Add(item);
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(host, new SubmitItem(item, Publishes: 2), messageId)));

            // Each copy takes the row once, and the copy that consumed takes it once more to deliver: 9 passes.
            await Eventually.TrueAsync(async () => await ReceiveCountAsync(db, messageId) == 9, Patience, "all eight copies went through the inbox");
        }

        await MessagingRows.SettledAsync(db, Patience);
        foreach (var item in items)
        {
            Assert.Equal(1, probe.RunsOf(item));
            Assert.Equal(1, await MessagingRows.ProcessedAsync(db, item));
            Assert.Equal(2, probe.Messages<ItemStored>().Count(m => m.ItemId == item));
        }

        Assert.Empty(probe.Messages<FailedForGood>());
    }

    [Fact]
    public async Task A_copy_arriving_after_a_process_restart_is_skipped()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        var item = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        await using (var first = await StartWorkerAsync(db, probe))
        {
            await SendAsync(first, new SubmitItem(item), messageId);
            await Eventually.TrueAsync(() => probe.Messages<ItemStored>().Any(), Patience, "the first process handled the message");
            await MessagingRows.SettledAsync(db, Patience);
        }

        var passes = await ReceiveCountAsync(db, messageId);
        await using var second = await StartWorkerAsync(db, probe);
        await SendAsync(second, new SubmitItem(item), messageId);

        await Eventually.TrueAsync(async () => await ReceiveCountAsync(db, messageId) == passes + 1, Patience,
            "the copy went through the new process's inbox");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Equal(1, probe.RunsOf(item));
        Assert.Equal(1, await MessagingRows.ProcessedAsync(db, item));
        Assert.Single(probe.Messages<ItemStored>());
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_from_the_outbox_without_running_the_consumer_again()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartWorkerAsync(db, probe);
        var item = Guid.NewGuid();

        await SendAsync(host, new SubmitItem(item, Publishes: 2, FailFirstDelivery: true), NewId.NextGuid());

        await Eventually.TrueAsync(() => probe.Messages<ItemStored>().Count == 2, Patience, "both announcements arrived after the retried delivery");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Equal(1, probe.RunsOf(item));
        Assert.Equal(1, await MessagingRows.ProcessedAsync(db, item));
        Assert.Equal(2, probe.Messages<ItemStored>().Count);
        Assert.Empty(probe.Messages<FailedForGood>());
    }

    /// <summary>EF's identity resolution returns a tracked instance unchanged, however the row changed since.</summary>
    [Fact]
    public async Task A_stale_inbox_row_tracked_by_the_DbContext_cannot_make_a_copy_run_again()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        var stale = new StaleInboxSeed();
        await using var host = await StartWorkerAsync(db, probe, services: s => s.AddSingleton(stale));
        var item = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        await SendAsync(host, new SubmitItem(item), messageId);
        await Eventually.TrueAsync(() => probe.Messages<ItemStored>().Any(), Patience, "the first copy was processed");
        await MessagingRows.SettledAsync(db, Patience);
        var consumerId = await db.ScalarAsync<Guid>("SELECT consumer_id FROM messaging.inbox_state WHERE message_id = @id", ("id", messageId));
        var passes = await ReceiveCountAsync(db, messageId);

        // From now on every scope's DbContext already tracks this row as "received, not consumed".
        stale.Row = new StaleInboxSeed.StaleRow(messageId, consumerId);
        await SendAsync(host, new SubmitItem(item), messageId);

        await Eventually.TrueAsync(async () => await ReceiveCountAsync(db, messageId) == passes + 1, Patience, "the copy went through the inbox");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Equal(1, probe.RunsOf(item));
        Assert.Single(probe.Messages<ItemStored>());
        Assert.Empty(probe.Messages<FailedForGood>());
    }

    [Fact]
    public async Task A_message_without_a_MessageId_is_deduplicated_by_its_log_position()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartWorkerAsync(db, probe);
        var item = Guid.NewGuid();
        var endpoint = await host.Get<IBus>().GetSendEndpoint(Items);
        Task SendRecordAsync() => endpoint.Send(new SubmitItem(item), send =>
        {
            send.MessageId = null;
            send.Headers.Set(InboxMessageIdProvider.TopicHeader, "log-events");
            send.Headers.Set(InboxMessageIdProvider.PartitionHeader, "3");
            send.Headers.Set(InboxMessageIdProvider.OffsetHeader, "1042");
        });
        var expectedId = InboxMessageIdProvider.FromLogPosition("log-events", 3, 1042);

        await SendRecordAsync();
        await Eventually.TrueAsync(() => probe.Messages<ItemStored>().Any(), Patience, "the record was processed");
        await MessagingRows.SettledAsync(db, Patience);
        var passes = await ReceiveCountAsync(db, expectedId);
        await SendRecordAsync();

        await Eventually.TrueAsync(async () => await ReceiveCountAsync(db, expectedId) == passes + 1, Patience,
            "the redelivered record went through the inbox");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Equal(1, probe.RunsOf(item));
        Assert.Single(probe.Messages<ItemStored>());
    }

    /// <summary>The same derivation as the Kafka rider's, so both name a record identically (RFC 9562 v8 over SHA-256).</summary>
    [Fact]
    public void A_log_position_names_a_record_the_way_the_Kafka_rider_does() =>
        Assert.Equal(Guid.Parse("5bf90894-54f6-8ccc-80fc-beac24c55cee"), InboxMessageIdProvider.FromLogPosition("log-events", 3, 1042));

    internal static Task<OutboxSpecHost> StartWorkerAsync(SpecDatabase db, SpecProbe probe, bool retry = true,
        Action<IServiceCollection>? services = null) =>
        OutboxSpecHost.StartAsync(db, probe,
            x =>
            {
                x.AddPgOutbox<OutboxSpecDbContext>();
                x.AddConsumer<ItemConsumer>();
                x.AddConsumer<Recorder>();
                x.AddConsumer<ErrorRecorder>();
            },
            (context, bus) =>
            {
                bus.ReceiveEndpoint("items", e =>
                {
                    e.ConcurrentMessageLimit = 8;
                    if (retry)
                    {
                        e.UseMessageRetry(r => r.Immediate(5));
                    }

                    e.UsePgOutbox<OutboxSpecDbContext>(context);
                    e.ConfigureConsumer<ItemConsumer>(context);
                });
                bus.ReceiveEndpoint("recorder", e => e.ConfigureConsumer<Recorder>(context));
                bus.ReceiveEndpoint("items_error", e =>
                {
                    e.ConfigureConsumeTopology = false;
                    e.ConfigureConsumer<ErrorRecorder>(context);
                });
            },
            services);

    private static async Task SendAsync(OutboxSpecHost host, SubmitItem message, Guid messageId)
    {
        var endpoint = await host.Get<IBus>().GetSendEndpoint(Items);
        await endpoint.Send(message, send => send.MessageId = messageId);
    }

    private static Task<int> ReceiveCountAsync(SpecDatabase db, Guid messageId) =>
        db.ScalarAsync<int>("SELECT coalesce(max(receive_count), 0) FROM messaging.inbox_state WHERE message_id = @id", ("id", messageId));
}
