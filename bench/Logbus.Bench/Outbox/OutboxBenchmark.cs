using System.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.BusOutbox;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Logbus.Bench.Outbox;

/// <summary>
/// The bus outbox's commit and delivery rates, and what the inbox costs a consumer, each beside the same work without
/// them, measured in the same run. Delivery goes to MassTransit's in-memory transport (a counting consumer): the Kafka
/// rider is not on main yet, so these are the PostgreSQL side's figures, not Kafka's.
/// </summary>
internal sealed class OutboxBenchmark : IBenchmark
{
    private const int Requests = 4000;
    private const int Writers = 8;
    private const int Messages = 4000;
    private const int ConsumerConcurrency = 8;
    private const int Runs = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private static readonly string Payload = new('x', 200);

    public string Name => "outbox";

    public string Description => "bus outbox commits and deliveries per second; the inbox's cost per consumed message";

    public async Task<BenchmarkReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var cs = context.PostgresConnectionString;
        var report = new BenchmarkReport(Name);
        await OutboxBenchHost.CreateSchemaAsync(cs);
        try
        {
            // Warm-up: JIT, connection pools, the HiLo sequence.
            await CommitRequestsAsync(cs, throughOutbox: true, 200, cancellationToken);
            await OutboxBenchHost.TruncateAsync(cs);

            var direct = new List<double>();
            var committed = new List<double>();
            var drained = new List<double>();
            var transport = new List<double>();
            var endToEndCommitted = new List<double>();
            var endToEndDelivered = new List<double>();
            for (var run = 1; run <= Runs; run++)
            {
                context.Progress($"run {run}/{Runs}: {Requests} requests publishing directly (baseline)");
                direct.Add(await CommitRequestsAsync(cs, throughOutbox: false, Requests, cancellationToken));
                await OutboxBenchHost.TruncateAsync(cs);
                context.Progress($"run {run}/{Runs}: {Requests} requests through the bus outbox, then the backlog drained");
                committed.Add(await CommitRequestsAsync(cs, throughOutbox: true, Requests, cancellationToken));
                drained.Add(await DrainAsync(cs, Requests, cancellationToken));
                await OutboxBenchHost.TruncateAsync(cs);
                context.Progress($"run {run}/{Runs}: {Requests} direct sends to the same in-memory consumer (baseline)");
                transport.Add(await SendDirectlyAsync(cs, Requests, cancellationToken));
                context.Progress($"run {run}/{Runs}: {Requests} requests committed while the delivery service delivers");
                var (c, d) = await CommitAndDeliverAsync(cs, Requests, cancellationToken);
                endToEndCommitted.Add(c);
                endToEndDelivered.Add(d);
                await OutboxBenchHost.TruncateAsync(cs);
            }

            report.Add($"bus outbox: requests committed (1 row + 1 message each, {Writers} writers)", Median(committed), "msg/s",
                Median(direct), "same requests, publish after commit, no outbox");
            report.Add("bus outbox: backlog delivered by one delivery service", Median(drained), "msg/s", Median(transport),
                "direct sends to the same consumer");
            report.Add("bus outbox: committed while delivering", Median(endToEndCommitted), "msg/s", Median(committed),
                "committed with delivery off");
            report.Add("bus outbox: delivered while requests commit", Median(endToEndDelivered), "msg/s", Median(endToEndCommitted),
                "committed meanwhile");

            await OutboxKafkaFigures.AddAsync(context, report, cs, Requests, Writers, Runs, cancellationToken);

            foreach (var publish in new[] { false, true })
            {
                var what = publish ? "consumer writing 1 row and publishing 1 message" : "consumer writing 1 row";
                var plain = new List<double>();
                var behindInbox = new List<double>();
                for (var run = 1; run <= Runs; run++)
                {
                    context.Progress($"run {run}/{Runs}: {Messages} messages, {what}, without the inbox (baseline)");
                    plain.Add(await ConsumeAsync(cs, inbox: false, publish, Messages, cancellationToken));
                    await OutboxBenchHost.TruncateAsync(cs);
                    context.Progress($"run {run}/{Runs}: {Messages} messages, {what}, behind the inbox");
                    behindInbox.Add(await ConsumeAsync(cs, inbox: true, publish, Messages, cancellationToken));
                    await OutboxBenchHost.TruncateAsync(cs);
                }

                report.Add($"{what}, behind the inbox ({ConsumerConcurrency} concurrent)", Median(behindInbox), "msg/s", Median(plain),
                    "same consumer without the inbox");
                report.Add($"inbox cost per message ({what})", (1 / Median(behindInbox) - 1 / Median(plain)) * 1e6, "µs", 1e6 / Median(plain),
                    "time per message without the inbox");
            }

            report.Notes.Add("\"bus outbox:\" figures deliver to MassTransit's in-memory transport (a counting consumer); \"bus outbox → Kafka\" " +
                "figures produce through the Kafka rider to the stack's dev broker (librdkafka's mock cluster, 6 partitions).");
            report.Notes.Add($"Requests: {Writers} concurrent writers, " +
                "each request its own scope and transaction with one 200-byte row and one message. " +
                $"Delivery: one delivery service (claims of {new BusOutboxOptions().ClaimBatchSize} outbox transactions, each outbox in order). " +
                $"Consumers: in-memory queue, {ConsumerConcurrency} concurrent, READ COMMITTED; the inbox adds an upsert of the inbox row and its " +
                "update to each message's transaction, and a second (delivery) transaction when the consumer published. Rates count from the " +
                $"first to the last arrival; each figure is the median of {Runs} runs, baseline and measurement alternating.");
            return report;
        }
        finally
        {
            await OutboxBenchHost.DropSchemaAsync(cs);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Web-style requests: a scope, a row and a message, committed; returns messages committed per second.</summary>
    private static async Task<double> CommitRequestsAsync(string cs, bool throughOutbox, int requests, CancellationToken cancellationToken)
    {
        using var host = await OutboxBenchHost.StartAsync(cs, new BenchProbe(requests),
            x =>
            {
                if (throughOutbox)
                {
                    x.AddPgOutbox<OutboxBenchDbContext>(o => o.UseBusOutbox(b => b.DeliveryServiceEnabled = false));
                }
            },
            (_, _) => { });
        var next = -1;
        var timer = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OutboxBenchDbContext>();
                var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
                db.Items.Add(new BenchItem { Payload = Payload });
                if (throughOutbox)
                {
                    await publish.Publish(new BenchEvent(index, Payload), cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                }
                else
                {
                    await db.SaveChangesAsync(cancellationToken);
                    await publish.Publish(new BenchEvent(index, Payload), cancellationToken);
                }
            }
        }, cancellationToken)));
        var rate = requests / timer.Elapsed.TotalSeconds;
        await host.StopAsync(cancellationToken);
        return rate;
    }

    /// <summary>Starts a delivery service on the committed backlog; returns deliveries per second.</summary>
    private static async Task<double> DrainAsync(string cs, int messages, CancellationToken cancellationToken)
    {
        var probe = new BenchProbe(messages);
        using var host = await StartDeliveringHostAsync(cs, probe);
        await probe.Events.WaitAsync(Patience, cancellationToken);
        await host.StopAsync(cancellationToken);
        return probe.Events.Rate;
    }

    private static async Task<double> SendDirectlyAsync(string cs, int messages, CancellationToken cancellationToken)
    {
        var probe = new BenchProbe(messages);
        using var host = await StartDeliveringHostAsync(cs, probe, delivery: false);
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:bench-events"));
        for (var i = 0; i < messages; i++)
        {
            await endpoint.Send(new BenchEvent(i, Payload), cancellationToken);
        }

        await probe.Events.WaitAsync(Patience, cancellationToken);
        await host.StopAsync(cancellationToken);
        return probe.Events.Rate;
    }

    private static async Task<(double Committed, double Delivered)> CommitAndDeliverAsync(string cs, int requests,
        CancellationToken cancellationToken)
    {
        var probe = new BenchProbe(requests);
        using var host = await StartDeliveringHostAsync(cs, probe);
        var next = -1;
        var timer = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OutboxBenchDbContext>();
                db.Items.Add(new BenchItem { Payload = Payload });
                await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new BenchEvent(index, Payload), cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
            }
        }, cancellationToken)));
        var committed = requests / timer.Elapsed.TotalSeconds;
        await probe.Events.WaitAsync(Patience, cancellationToken);
        await host.StopAsync(cancellationToken);
        return (committed, probe.Events.Rate);
    }

    private static Task<IHost> StartDeliveringHostAsync(string cs, BenchProbe probe, bool delivery = true) =>
        OutboxBenchHost.StartAsync(cs, probe,
            x =>
            {
                x.AddPgOutbox<OutboxBenchDbContext>(o => o.UseBusOutbox(b => b.DeliveryServiceEnabled = delivery));
                x.AddConsumer<EventCounter>();
            },
            (context, bus) => bus.ReceiveEndpoint("bench-events", e =>
            {
                e.ConcurrentMessageLimit = ConsumerConcurrency;
                e.ConfigureConsumer<EventCounter>(context);
            }));

    /// <summary>Sends work to the consumer and returns messages consumed per second.</summary>
    private static async Task<double> ConsumeAsync(string cs, bool inbox, bool publish, int messages, CancellationToken cancellationToken)
    {
        var probe = new BenchProbe(messages);
        using var host = await OutboxBenchHost.StartAsync(cs, probe,
            x =>
            {
                x.AddPgOutbox<OutboxBenchDbContext>();
                x.AddConsumer<WorkConsumer>();
                x.AddConsumer<EventCounter>();
            },
            (context, bus) =>
            {
                bus.ReceiveEndpoint("bench-work", e =>
                {
                    e.ConcurrentMessageLimit = ConsumerConcurrency;
                    e.UseMessageRetry(r => r.Immediate(5));
                    if (inbox)
                    {
                        e.UsePgOutbox<OutboxBenchDbContext>(context);
                    }

                    e.ConfigureConsumer<WorkConsumer>(context);
                });
                bus.ReceiveEndpoint("bench-events", e => e.ConfigureConsumer<EventCounter>(context));
            });
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:bench-work"));
        for (var i = 0; i < messages; i++)
        {
            await endpoint.Send(new BenchWork(i, Payload, publish), cancellationToken);
        }

        await probe.Work.WaitAsync(Patience, cancellationToken);
        if (publish)
        {
            await probe.Events.WaitAsync(Patience, cancellationToken);
        }

        await host.StopAsync(cancellationToken);
        return probe.Work.Rate;
    }
}
