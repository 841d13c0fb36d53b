using System.Diagnostics.Metrics;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Outbox.Support;
using MassTransit;

namespace Logbus.Specs.Outbox;

/// <summary>The saga repository on PostgreSQL, with and without the inbox transaction around it.</summary>
[Trait("Kind", "Integration")]
public sealed class SagaRepositorySpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Conflicts = "saga.conflicts";

    [Theory]
    [InlineData(ConcurrencyMode.Optimistic, true)]
    [InlineData(ConcurrencyMode.Pessimistic, true)]
    [InlineData(ConcurrencyMode.Optimistic, false)]
    [InlineData(ConcurrencyMode.Pessimistic, false)]
    public async Task A_hundred_concurrent_events_on_one_instance_are_each_counted_once(ConcurrencyMode mode, bool behindInbox)
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = await StartAsync<CounterStateMachine>(db, probe, mode, behindInbox, retry: true);
        var counter = Guid.NewGuid();
        var endpoint = await host.Get<IBus>().GetSendEndpoint(new Uri("queue:counter"));
        await endpoint.Send(new CounterStepped(counter));
        await Eventually.TrueAsync(async () => await CountAsync(db, counter) == 1, Patience, "the instance exists");
        using var meters = new MessagingMeterReadings(host.Get<IMeterFactory>());

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => endpoint.Send(new CounterStepped(counter))));

        await Eventually.TrueAsync(async () => await CountAsync(db, counter) == 101 || probe.Messages<FailedForGood>().Any(), Patience,
            "the counter counted all 100 events");
        await Task.Delay(500);
        Assert.Empty(probe.Messages<FailedForGood>());
        Assert.Equal(101, await CountAsync(db, counter));
        if (mode == ConcurrencyMode.Pessimistic)
        {
            // FOR UPDATE queues the writers of a hot instance: none of them can lose a race.
            Assert.Equal(0, meters.Counter(Conflicts));
        }

        if (behindInbox)
        {
            Assert.Equal(101, await MessagingRows.InboxRowsAsync(db));
        }
    }

    /// <summary>
    /// Two first events for a new instance: the loser's INSERT hits the primary key. With <c>InsertOnInitial</c> the
    /// repository's savepoint keeps the transaction alive and the event is applied to the winner's instance at once
    /// (without the savepoint PostgreSQL aborts the whole transaction at the failed INSERT, and with no retry the event is lost);
    /// with the default Add path the whole transaction is retried.
    /// </summary>
    [Theory]
    [InlineData(ConcurrencyMode.Pessimistic, true)]
    [InlineData(ConcurrencyMode.Optimistic, true)]
    [InlineData(ConcurrencyMode.Pessimistic, false)]
    [InlineData(ConcurrencyMode.Optimistic, false)]
    public async Task Two_first_events_racing_to_create_the_instance_are_both_counted(ConcurrencyMode mode, bool insertOnInitial)
    {
        await using var db = await OutboxSpecSchema.CreateDatabaseAsync();
        var probe = new SpecProbe();
        await using var host = insertOnInitial
            ? await StartAsync<InsertingCounterStateMachine>(db, probe, mode, behindInbox: true, retry: false)
            : await StartAsync<CounterStateMachine>(db, probe, mode, behindInbox: true, retry: true);
        var counters = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList();

        var endpoint = await host.Get<IBus>().GetSendEndpoint(new Uri("queue:counter"));
        await Task.WhenAll(counters.SelectMany(c => new[] { endpoint.Send(new CounterStepped(c)), endpoint.Send(new CounterStepped(c)) }));

        await Eventually.TrueAsync(async () => await TotalAsync(db) == 20 || probe.Messages<FailedForGood>().Any(), Patience,
            "every counter counted both events");
        await Task.Delay(500);
        Assert.Empty(probe.Messages<FailedForGood>());
        foreach (var counter in counters)
        {
            Assert.Equal(2, await CountAsync(db, counter));
        }
    }

    private static Task<OutboxSpecHost> StartAsync<TMachine>(SpecDatabase db, SpecProbe probe, ConcurrencyMode mode, bool behindInbox, bool retry)
        where TMachine : class, SagaStateMachine<CounterState> =>
        OutboxSpecHost.StartAsync(db, probe,
            x =>
            {
                x.AddPgOutbox<OutboxSpecDbContext>();
                x.AddSagaStateMachine<TMachine, CounterState>().PgRepository(r => r.UseDbContext<OutboxSpecDbContext>().Concurrency(mode));
                x.AddConsumer<CounterErrorRecorder>();
            },
            (context, bus) =>
            {
                bus.ReceiveEndpoint("counter", e =>
                {
                    e.ConcurrentMessageLimit = 16;
                    if (retry)
                    {
                        // Conflicts of 16 writers on one row need many patient retries, not fast ones.
                        e.UseMessageRetry(r => r.Exponential(30, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(300),
                            TimeSpan.FromMilliseconds(10)));
                    }

                    if (behindInbox)
                    {
                        e.UsePgOutbox<OutboxSpecDbContext>(context);
                    }

                    e.ConfigureSaga<CounterState>(context);
                });
                bus.ReceiveEndpoint("counter_error", e =>
                {
                    e.ConfigureConsumeTopology = false;
                    e.ConfigureConsumer<CounterErrorRecorder>(context);
                });
            });

    private static Task<int> CountAsync(SpecDatabase db, Guid counter) =>
        db.ScalarAsync<int>("SELECT coalesce(max(count), 0) FROM spec.counter_state WHERE correlation_id = @id", ("id", counter));

    private static Task<long> TotalAsync(SpecDatabase db) => db.ScalarAsync<long>("SELECT coalesce(sum(count), 0) FROM spec.counter_state");
}
