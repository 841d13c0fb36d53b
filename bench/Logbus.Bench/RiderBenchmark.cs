using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Messaging.Kafka;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Bench;

/// <summary>
/// Messages per second through a Kafka topic endpoint (MassTransit receive pipe, raw JSON, trivial consumer, offsets
/// committed) against a raw Confluent poll loop (deserialize + offset store) on the same topic in the same run; and the
/// rider's <c>ITopicProducer</c> against a raw Confluent producer.
/// </summary>
internal sealed class RiderBenchmark : IBenchmark
{
    private const int Records = 100_000;
    private const int Partitions = 6;
    private const int Rounds = 3;

    public string Name => "rider";

    public string Description => $"Kafka rider: topic endpoint vs raw Confluent poll loop, ITopicProducer vs raw producer ({Records:N0} records, " +
        $"{Partitions} partitions)";

    public async Task<BenchmarkReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var servers = context.KafkaBootstrapServers;
        var topic = $"bench-rider-{Guid.NewGuid():N}"[..24];
        await context.CreateTopicAsync(topic, Partitions);

        context.Progress($"producing {Records:N0} records to {topic} with a raw producer");
        var rawProduce = ProduceRaw(servers, topic);

        var raw = new List<double>();
        var rider = new List<double>();
        var rawCpu = new List<double>();
        var riderCpu = new List<double>();
        for (var round = 1; round <= Rounds; round++)
        {
            var (rawRate, rawCpuPerRecord) = ConsumeRaw(servers, topic, cancellationToken);
            raw.Add(rawRate);
            rawCpu.Add(rawCpuPerRecord);
            context.Progress($"round {round}: raw poll loop {raw[^1]:N0} msg/s, {rawCpu[^1]:0.0} µs CPU/msg");
            var (riderRate, riderCpuPerRecord) = await ConsumeWithRiderAsync(servers, topic, cancellationToken);
            rider.Add(riderRate);
            riderCpu.Add(riderCpuPerRecord);
            context.Progress($"round {round}: topic endpoint {rider[^1]:N0} msg/s, {riderCpu[^1]:0.0} µs CPU/msg");
        }

        var producerTopic = $"bench-produce-{Guid.NewGuid():N}"[..24];
        await context.CreateTopicAsync(producerTopic, Partitions);
        var riderProduce = await ProduceWithRiderAsync(servers, producerTopic);
        context.Progress($"ITopicProducer {riderProduce:N0} msg/s, raw producer {rawProduce:N0} msg/s");

        var report = new BenchmarkReport(Name)
            .Add("topic endpoint, trivial consumer (best round)", rider.Max(), "msg/s", raw.Max(), "raw Confluent poll loop")
            .Add("ITopicProducer<T>.Produce, 1,000 in flight", riderProduce, "msg/s", rawProduce, "raw Confluent Produce")
            .Add("client CPU per consumed record, topic endpoint (best round)", riderCpu.Min(), "µs", rawCpu.Min(), "raw Confluent poll loop");
        report.Notes.Add($"Load average at the end: {File.ReadAllText("/proc/loadavg").Trim()} (the machine is shared).");
        report.Notes.Add("Rounds: topic endpoint " +
            $"{string.Join(" / ", rider.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} msg/s; " +
            $"raw poll loop {string.Join(" / ", raw.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} msg/s. " +
            "Consumer rates are first to last record of a fresh consumer group; the dev broker (librdkafka's mock cluster) runs on the same cores.");
        return report;
    }

    /// <summary>CPU used by this process: with neighbours on the machine it is steadier than wall-clock rates.</summary>
    internal static TimeSpan CpuTime() => Process.GetCurrentProcess().TotalProcessorTime;

    private static double ProduceRaw(string servers, string topic)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = servers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        }).SetLogHandler((_, _) => { }).Build();
        var failures = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Records; i++)
        {
            var message = new Message<byte[], byte[]> { Value = JsonSerializer.SerializeToUtf8Bytes(BenchLogLine.Create(i), BenchLogLine.Json) };
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(topic, i % Partitions), message, r =>
                    {
                        if (r.Error.IsError)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    });
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(5));
                }
            }
        }

        if (producer.Flush(TimeSpan.FromSeconds(120)) != 0 || failures != 0)
        {
            throw new InvalidOperationException($"The raw producer did not deliver every record ({failures} failed).");
        }

        return Records / clock.Elapsed.TotalSeconds;
    }

    private static (double Rate, double CpuMicrosecondsPerRecord) ConsumeRaw(string servers, string topic, CancellationToken cancellationToken)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = servers,
            GroupId = "bench-raw-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoOffsetStore = false,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        }).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        var count = 0;
        Stopwatch? clock = null;
        var cpuAtFirst = TimeSpan.Zero;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (count < Records && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                continue;
            }

            if (clock is null)
            {
                clock = Stopwatch.StartNew();
                cpuAtFirst = CpuTime();
            }

            _ = JsonSerializer.Deserialize<BenchLogLine>(result.Message.Value, BenchLogLine.Json);
            consumer.StoreOffset(result);
            count++;
        }

        var elapsed = clock?.Elapsed ?? TimeSpan.Zero;
        var cpu = CpuTime() - cpuAtFirst;
        consumer.Close();
        return count < Records
            ? throw new InvalidOperationException($"The raw consumer read {count} of {Records} records.")
            : (Records / elapsed.TotalSeconds, cpu.TotalMicroseconds / Records);
    }

    private static async Task<(double Rate, double CpuMicrosecondsPerRecord)> ConsumeWithRiderAsync(string servers, string topic,
        CancellationToken cancellationToken)
    {
        var counter = new BenchCounter(Records);
        var services = new ServiceCollection();
        services.AddSingleton(counter);
        services.AddMassTransit(x =>
        {
            x.UsingInMemory();
            x.AddRider(r =>
            {
                r.AddConsumer<CountingConsumer>();
                r.UsingKafka((context, k) =>
                {
                    k.Host(servers);
                    k.TopicEndpoint<BenchLogLine>(topic, "bench-rider-" + Guid.NewGuid().ToString("N"), e =>
                        e.ConfigureConsumer<CountingConsumer>(context));
                });
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(cancellationToken);
        try
        {
            await counter.Done.WaitAsync(TimeSpan.FromMinutes(3), cancellationToken);
            return (Records / counter.Elapsed.TotalSeconds, counter.Cpu.TotalMicroseconds / Records);
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<double> ProduceWithRiderAsync(string servers, string topic)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.UsingInMemory();
            x.AddRider(r =>
            {
                r.AddProducer<BenchLogLine>(topic, m => m.Id);
                r.UsingKafka((_, k) => k.Host(servers));
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            await using var scope = provider.CreateAsyncScope();
            var producer = scope.ServiceProvider.GetRequiredService<ITopicProducer<BenchLogLine>>();
            using var inFlight = new SemaphoreSlim(1000);
            var clock = Stopwatch.StartNew();
            var tasks = new List<Task>(Records);
            for (var i = 0; i < Records; i++)
            {
                await inFlight.WaitAsync();
                tasks.Add(ProduceOneAsync(producer, BenchLogLine.Create(i), inFlight));
            }

            await Task.WhenAll(tasks);
            return Records / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static async Task ProduceOneAsync(ITopicProducer<BenchLogLine> producer, BenchLogLine line, SemaphoreSlim inFlight)
    {
        try
        {
            await producer.Produce(line);
        }
        finally
        {
            inFlight.Release();
        }
    }

    public sealed class CountingConsumer(BenchCounter counter) : IConsumer<BenchLogLine>
    {
        public Task Consume(ConsumeContext<BenchLogLine> context)
        {
            counter.Add();
            return Task.CompletedTask;
        }
    }
}

/// <summary>A ~150-byte log line, the shape of what Logbus carries.</summary>
public sealed record BenchLogLine(string Id, DateTime Timestamp, string Level, string Source, string Message)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static BenchLogLine Create(int i) =>
        new($"evt-{i:D8}", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(i), "Information", "bench",
            $"request {i} handled in 12 ms");
}

/// <summary>Counts consumed records and times the first to the last.</summary>
public sealed class BenchCounter(int expected)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = new();
    private int _count;

    public Task Done => _done.Task;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>CPU the process used from the first record to the last.</summary>
    public TimeSpan Cpu { get; private set; }

    public void Add()
    {
        var count = Interlocked.Increment(ref _count);
        if (count == 1)
        {
            _clock.Start();
            Cpu = -Process.GetCurrentProcess().TotalProcessorTime;
        }

        if (count == expected)
        {
            _clock.Stop();
            Cpu += Process.GetCurrentProcess().TotalProcessorTime;
            _done.TrySetResult();
        }
    }
}
