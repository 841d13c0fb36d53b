using System.Diagnostics;
using Logbus.Messaging.Kafka;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Logbus.Bench.Outbox;

/// <summary>
/// The bus outbox with the Kafka rider: requests that produce through the scoped topic producer (so into the outbox),
/// and the delivery service draining that backlog to the dev Kafka broker; beside producing the same messages
/// straight to Kafka.
/// </summary>
internal static class OutboxKafkaFigures
{
    public static async Task AddAsync(BenchContext context, BenchmarkReport report, string cs, int messages, int writers, int runs,
        CancellationToken cancellationToken)
    {
        var direct = new List<double>();
        var committed = new List<double>();
        var drained = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var topic = $"bench-outbox-{Guid.NewGuid():N}"[..24];
            await context.CreateTopicAsync(topic, 6, cancellationToken);
            context.Progress($"run {run}/{runs}: {messages} messages produced straight to Kafka (baseline)");
            direct.Add(await ProduceAsync(context, cs, topic, throughOutbox: false, messages, writers, cancellationToken));
            context.Progress($"run {run}/{runs}: {messages} requests producing through the bus outbox, then the backlog drained to Kafka");
            committed.Add(await ProduceAsync(context, cs, topic, throughOutbox: true, messages, writers, cancellationToken));
            drained.Add(await DrainAsync(context, cs, topic, messages, cancellationToken));
            await OutboxBenchHost.TruncateAsync(cs);
        }

        report.Add($"bus outbox → Kafka: requests committed (1 row + 1 produced message each, {writers} writers)", Median(committed), "msg/s",
            Median(direct), "same messages produced straight to Kafka, no outbox, no row");
        report.Add("bus outbox → Kafka: backlog delivered to the dev broker by one delivery service", Median(drained), "msg/s",
            Median(direct), "same messages produced straight to Kafka");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<double> ProduceAsync(BenchContext context, string cs, string topic, bool throughOutbox, int messages, int writers,
        CancellationToken cancellationToken)
    {
        using var host = await StartAsync(context, cs, topic, throughOutbox ? OutboxMode.CaptureOnly : OutboxMode.None);
        var payload = new string('x', 200);
        var next = -1;
        var timer = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < messages)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var producer = scope.ServiceProvider.GetRequiredService<ITopicProducer<BenchEvent>>();
                if (throughOutbox)
                {
                    var db = scope.ServiceProvider.GetRequiredService<OutboxBenchDbContext>();
                    db.Items.Add(new BenchItem { Payload = payload });
                    await producer.Produce(new BenchEvent(index, payload), cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                }
                else
                {
                    await producer.Produce(new BenchEvent(index, payload), cancellationToken);
                }
            }
        }, cancellationToken)));
        var rate = messages / timer.Elapsed.TotalSeconds;
        await host.StopAsync(cancellationToken);
        return rate;
    }

    /// <summary>Starts a delivery service on the backlog and times it from the first delivery to an empty outbox.</summary>
    private static async Task<double> DrainAsync(BenchContext context, string cs, string topic, int messages, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(cs);
        async Task<long> PendingAsync()
        {
            await using var command = dataSource.CreateCommand("SELECT count(*) FROM " + OutboxBenchDbContext.Schema + ".outbox_message");
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        var hostStarting = Stopwatch.GetTimestamp();
        using var host = await StartAsync(context, cs, topic, OutboxMode.Deliver);
        long? startCount = null;
        var started = 0L;
        while (true)
        {
            var pending = await PendingAsync();
            var now = Stopwatch.GetTimestamp();
            if (startCount is null && pending < messages)
            {
                startCount = pending;
                started = now;
            }

            if (pending == 0)
            {
                await host.StopAsync(cancellationToken);
                // Drained before the first look: all that can be said is the rate including start-up.
                return startCount is { } count
                    ? count / Stopwatch.GetElapsedTime(started, now).TotalSeconds
                    : messages / Stopwatch.GetElapsedTime(hostStarting, now).TotalSeconds;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static Task<IHost> StartAsync(BenchContext context, string cs, string topic, OutboxMode mode) =>
        OutboxBenchHost.StartAsync(cs, new BenchProbe(1),
            x =>
            {
                if (mode != OutboxMode.None)
                {
                    x.AddPgOutbox<OutboxBenchDbContext>(o => o.UseBusOutbox(b => b.DeliveryServiceEnabled = mode == OutboxMode.Deliver));
                }

                x.AddRider(r =>
                {
                    r.AddProducer<BenchEvent>(topic, e => e.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    r.UsingKafka((_, k) => k.Host(context.KafkaBootstrapServers));
                });
            },
            (_, _) => { });

    private enum OutboxMode
    {
        None,
        CaptureOnly,
        Deliver,
    }
}
