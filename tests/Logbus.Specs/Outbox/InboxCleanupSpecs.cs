using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Inbox;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Outbox.Support;
using MassTransit;

namespace Logbus.Specs.Outbox;

/// <summary>The inbox's duplicate window and what happens to messages whose sends never reached the transport.</summary>
[Trait("Kind", "Integration")]
public sealed class InboxCleanupSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Rows_delivered_longer_ago_than_the_window_are_removed_by_several_instances_at_once_and_younger_ones_kept()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            INSERT INTO messaging.inbox_state (message_id, consumer_id, received, receive_count, consumed, delivered)
            SELECT gen_random_uuid(), gen_random_uuid(), now() - interval '3 hours', 1, now() - interval '3 hours', now() - interval '2 hours'
            FROM generate_series(1, 2500);
            INSERT INTO messaging.inbox_state (message_id, consumer_id, received, receive_count, consumed, delivered)
            SELECT gen_random_uuid(), gen_random_uuid(), now() - interval '20 minutes', 1, now() - interval '20 minutes',
                now() - interval '10 minutes'
            FROM generate_series(1, 40);
            """);
        var probe = new SpecProbe();
        var hosts = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => OutboxSpecHost.StartAsync(db, probe,
            x => x.AddPgOutbox<OutboxSpecDbContext>(o =>
            {
                o.Inbox.CleanupEnabled = false;
                o.Inbox.DuplicateDetectionWindow = TimeSpan.FromHours(1);
                o.Inbox.CleanupBatchSize = 100;
            }),
            (_, _) => { },
            name: $"cleaner-{i}")));
        try
        {
            var results = await Task.WhenAll(hosts.Select(h => h.Get<PgInboxCleanupService<OutboxSpecDbContext>>()
                .CleanOnceAsync(CancellationToken.None)));

            Assert.Equal(2500, results.Sum(r => r.Removed));
            Assert.Equal(40, await MessagingRows.InboxRowsAsync(db));
        }
        finally
        {
            await Task.WhenAll(hosts.Select(h => h.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Messages_stranded_by_a_failed_delivery_are_handed_to_the_bus_outbox_and_delivered()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartAsync(db, probe, StrandedMessageRule.HandToBusOutbox);
        var item = Guid.NewGuid();

        // No retry on the endpoint: the delivery pass fails once and the message goes to the error queue, consumed,
        // its two announcements stranded in the consumer outbox with no delivery left to send them.
        await SendAsync(host, new SubmitItem(item, Publishes: 2, FailFirstDelivery: true));
        await Eventually.TrueAsync(() => probe.Messages<FailedForGood>().Any(), Patience, "the message reached the error queue");
        Assert.Equal(2, await MessagingRows.OutboxMessagesAsync(db));
        Assert.Empty(probe.Messages<ItemStored>());

        var (_, rescued) = await host.Get<PgInboxCleanupService<OutboxSpecDbContext>>().CleanOnceAsync(CancellationToken.None);

        Assert.Equal(1, rescued);
        await Eventually.TrueAsync(() => probe.Messages<ItemStored>().Count == 2, Patience, "the stranded announcements were delivered");
        await MessagingRows.SettledAsync(db, Patience);
        Assert.Equal([0, 1], probe.Messages<ItemStored>().Select(m => m.Index).Order());
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state WHERE delivered IS NOT NULL"));
        Assert.Equal(1, probe.RunsOf(item));
    }

    [Fact]
    public async Task Stranded_messages_are_left_and_reported_when_the_rule_says_keep()
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartAsync(db, probe, StrandedMessageRule.Keep);
        await SendAsync(host, new SubmitItem(Guid.NewGuid(), Publishes: 2, FailFirstDelivery: true));
        await Eventually.TrueAsync(() => probe.Messages<FailedForGood>().Any(), Patience, "the message reached the error queue");

        var (_, rescued) = await host.Get<PgInboxCleanupService<OutboxSpecDbContext>>().CleanOnceAsync(CancellationToken.None);
        var backlog = await host.Get<OutboxBacklogMonitor<OutboxSpecDbContext>>().RefreshAsync(CancellationToken.None);

        Assert.Equal(0, rescued);
        Assert.Equal(2, await MessagingRows.OutboxMessagesAsync(db));
        Assert.Equal(1, backlog.UndeliveredInboxRows);
        Assert.True(backlog.OldestUndeliveredInboxAge > TimeSpan.Zero);
        Assert.Empty(probe.Messages<ItemStored>());
    }

    private static Task<OutboxSpecHost> StartAsync(SpecDatabase db, SpecProbe probe, StrandedMessageRule rule) =>
        OutboxSpecHost.StartAsync(db, probe,
            x =>
            {
                x.AddPgOutbox<OutboxSpecDbContext>(o =>
                {
                    o.Inbox.CleanupEnabled = false;
                    o.Inbox.StrandedAfter = TimeSpan.Zero;
                    o.Inbox.StrandedMessages = rule;
                    o.UseBusOutbox();
                });
                x.AddConsumer<ItemConsumer>();
                x.AddConsumer<Recorder>();
                x.AddConsumer<ErrorRecorder>();
            },
            (context, bus) =>
            {
                bus.ReceiveEndpoint("items", e =>
                {
                    e.UsePgOutbox<OutboxSpecDbContext>(context);
                    e.ConfigureConsumer<ItemConsumer>(context);
                });
                bus.ReceiveEndpoint("recorder", e => e.ConfigureConsumer<Recorder>(context));
                bus.ReceiveEndpoint("items_error", e =>
                {
                    e.ConfigureConsumeTopology = false;
                    e.ConfigureConsumer<ErrorRecorder>(context);
                });
            });

    private static async Task SendAsync(OutboxSpecHost host, SubmitItem message)
    {
        var endpoint = await host.Get<IBus>().GetSendEndpoint(new Uri("queue:items"));
        await endpoint.Send(message);
    }
}
