using Logbus.Specs.Infrastructure;
using Xunit.Abstractions;

namespace Logbus.Specs.Worker;

/// <summary>
/// While the Worker is behind, every partition it owns holds what its lane read ahead of the store transactions: resident
/// memory bounded by <c>Worker:Storing:PrefetchKilobytesPerPartition</c>, and shown per partition by
/// <c>logbus_messaging_kafka_consumer_read_ahead_bytes</c>.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ReadAheadSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task A_Worker_behind_holds_no_more_per_partition_than_its_read_ahead_setting()
    {
        const int limit = 64 * 1024;
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 2, worker: new Dictionary<string, string?>
        {
            ["Worker:Storing:PrefetchKilobytesPerPartition"] = "64",
            ["Worker:Storing:ThrottlePerChunk"] = "00:00:02",
        });

        // 200 chunks of 20 events (a few kB each): hundreds of kB a partition, all waiting behind the throttled store.
        await pipeline.IngestAsync(4_000, batchSize: 20, parallel: 8);
        var most = new long[2];
        await Eventually.TrueAsync(async () => await HeldAsync(pipeline, 0) + await HeldAsync(pipeline, 1) > 0, TimeSpan.FromSeconds(30),
            "the Worker holds records read ahead");
        for (var i = 0; i < 20; i++)
        {
            for (var partition = 0; partition < 2; partition++)
            {
                most[partition] = Math.Max(most[partition], await HeldAsync(pipeline, partition));
            }

            await Task.Delay(250);
        }

        output.WriteLine($"most held: partition 0 {most[0]:N0} bytes, partition 1 {most[1]:N0} bytes");
        var stored = await pipeline.StoredAsync();
        Assert.True(stored < 4_000, $"the Worker is still behind ({stored} of 4,000 stored)");
        // A lane pauses its partition once it holds the limit (so it got there), and holds one chunk of 20 events at most beyond it.
        Assert.All(most, held => Assert.InRange(held, limit, limit + (16 * 1024)));
    }

    private static async Task<long> HeldAsync(Pipeline pipeline, int partition) =>
        (long)(await PrometheusScrape.SumAsync(pipeline.WorkerClient, "logbus_messaging_kafka_consumer_read_ahead_bytes",
            ("topic", pipeline.Topic), ("partition", partition.ToString(System.Globalization.CultureInfo.InvariantCulture))) ?? 0);
}
