using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Messaging.Kafka.Retention;
using Logbus.Specs.Imports;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Worker;

/// <summary>
/// The dev broker keeps only the newest 5 MiB of each partition. While the Worker is behind, an import several times
/// that size must not wait in the broker, where the records the Worker had not read yet would be deleted: the retention
/// guard holds delivery, the upload waits for the hold to lift (the client slowed to the Worker's pace), and past
/// <c>Imports:MaxHoldWait</c> (a Worker that is away) the rest waits in the Api's outbox.
/// </summary>
[Trait("Kind", "Chaos")]
public sealed class BrokerRetentionSpecs
{
    /// <summary>
    /// Lines of the import: <c>LOGBUS_SPEC_RETENTION_LINES</c>, 16,000 by default: with lines of about 1 KB
    /// (<c>LOGBUS_SPEC_RETENTION_LINE_BYTES</c>), sent uncompressed to a topic of one partition, about three times the
    /// 5 MiB a partition of the dev broker keeps. Set 1,000,000 (and a smaller line) for the full run.
    /// </summary>
    private static readonly int Lines = Setting("LOGBUS_SPEC_RETENTION_LINES", 16_000);

    private static readonly int LineBytes = Setting("LOGBUS_SPEC_RETENTION_LINE_BYTES", 1_000);

    [Fact]
    public async Task An_import_several_times_the_retention_waits_for_a_slow_Worker_going_straight_to_Kafka_and_is_stored_exactly_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 1,
            worker: new Dictionary<string, string?> { ["Worker:Storing:ThrottlePerChunk"] = "00:00:00.100" },
            apiSettings: new Dictionary<string, string?>
            {
                ["Kafka:Compression"] = "None",
                ["Kafka:RetentionGuard:RetentionBytes"] = KafkaRetentionGuardOptions.DevBrokerPartitionBytes.ToString(CultureInfo.InvariantCulture),
                ["Kafka:RetentionGuard:CheckInterval"] = "00:00:00.250",
                // Generous on a busy machine: a produce that timed out, or a wait that ran out, would send chunks to the
                // outbox for reasons this spec is not about.
                ["Ingest:DirectProduceTimeout"] = "00:00:30",
                ["Imports:MaxHoldWait"] = "00:02:00",
            });
        await RecordOutboxChunksAsync(db);
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(() => WatchDeletedUnconsumed(pipeline, stop.Token));

        using var uploader = pipeline.Api.CreateClient(TimeSpan.FromSeconds(60 + ((long)Lines * LineBytes / 200_000)));
        var response = await uploader.PostAsync("/api/imports", ImportFiles.Content(PaddedLines()));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
        await WaitForCompletedAsync(pipeline, id);
        await stop.CancelAsync();
        var deletedUnconsumed = await watch;

        await pipeline.AssertExactlyAsync(Lines);
        Assert.True(deletedUnconsumed.Count == 0, "the broker deleted records the Worker had not committed: " + string.Join("; ", deletedUnconsumed));
        // The upload met the hold and waited it out: only the last chunk (which commits with the end of the file) went
        // through the outbox. Committing a held chunk to the outbox would have sent the rest of the upload there too.
        Assert.True(await HoldWaitsAsync(pipeline, "lifted") > 0, "a chunk waited for the hold to lift");
        Assert.Null(await HoldWaitsAsync(pipeline, "timed_out"));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM spec_outbox_chunks"));
    }

    [Fact]
    public async Task An_import_several_times_the_retention_waits_in_the_outbox_while_the_Worker_is_away_and_is_stored_exactly_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        // One partition takes the whole import; uncompressed records fill the broker's 5 MiB with fewer lines.
        await using var pipeline = await Pipeline.StartAsync(db, workerAsProcess: true, partitions: 1,
            worker: new Dictionary<string, string?> { ["Worker:Storing:ThrottlePerChunk"] = "00:00:00.100" },
            apiSettings: new Dictionary<string, string?>
            {
                ["Kafka:Compression"] = "None",
                // What ./logbus up sets for the dev broker, which cannot describe its retention (asking it takes seconds).
                ["Kafka:RetentionGuard:RetentionBytes"] = KafkaRetentionGuardOptions.DevBrokerPartitionBytes.ToString(CultureInfo.InvariantCulture),
                // The chunk that meets the hold waits a second for the Worker, then the rest of the upload goes to the outbox.
                ["Imports:MaxHoldWait"] = "00:00:01",
            });
        // The furthest behind a Worker can be: stopped for the whole upload. It comes back throttled.
        pipeline.WorkerProcess!.Kill();
        await RecordOutboxChunksAsync(db);

        using var stop = new CancellationTokenSource();
        var watch = Task.Run(() => WatchDeletedUnconsumed(pipeline, stop.Token));
        // A million lines take minutes to upload on a busy machine: longer than a client's default 100 s.
        using var uploader = pipeline.Api.CreateClient(TimeSpan.FromSeconds(60 + ((long)Lines * LineBytes / 200_000)));
        var response = await uploader.PostAsync("/api/imports", ImportFiles.Content(PaddedLines()));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
        // The guard looks once a second; an upload that outran its last look has been answered before the hold shows.
        await Eventually.TrueAsync(async () =>
                await PrometheusScrape.SumAsync(pipeline.Api.Client, "logbus_messaging_kafka_delivery_held", ("topic", pipeline.Topic)) == 1,
            TimeSpan.FromSeconds(15), "delivery to the topic is held while the Worker is away");
        Assert.True(await pipeline.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message") > 0,
            "the rest of the import waits in the outbox");
        Assert.True(await KeptForReplayAsync(pipeline) > 0, "what the broker holds and the Worker has not read is kept for a replay");

        await pipeline.WorkerProcess.StartAsync();
        try
        {
            await pipeline.WaitForStoredAsync(Lines, TimeSpan.FromSeconds(60 + ((long)Lines * LineBytes / 200_000)));
        }
        catch (Xunit.Sdk.FailException e)
        {
            // Events that never arrive were most likely deleted by the broker before the Worker read them: say whether.
            await stop.CancelAsync();
            Assert.Fail($"{e.Message} The broker deleted unread: [{string.Join("; ", await watch)}]");
        }

        await WaitForCompletedAsync(pipeline, id);
        await stop.CancelAsync();
        var deletedUnconsumed = await watch;

        await pipeline.AssertExactlyAsync(Lines);
        // One chunk waited out the hold; the rest went to the outbox without waiting.
        Assert.Equal(1, await HoldWaitsAsync(pipeline, "timed_out"));
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM spec_outbox_chunks") > 1,
            "the chunks after the one that waited went to the outbox");
        await Eventually.TrueAsync(async () => await KeptForReplayAsync(pipeline) == 0, TimeSpan.FromSeconds(30),
            "records the Worker committed are no longer kept for a replay");
        Assert.True(deletedUnconsumed.Count == 0, "the broker deleted records the Worker had not committed: " + string.Join("; ", deletedUnconsumed));
        Assert.Equal(0, await PrometheusScrape.SumAsync(pipeline.WorkerClient, "logbus_messaging_kafka_offset_resets", ("topic", pipeline.Topic)));
        Assert.Equal(0, await PrometheusScrape.SumAsync(pipeline.Api.Client, "logbus_messaging_kafka_delivery_held", ("topic", pipeline.Topic)));
    }

    [Fact]
    public async Task An_Api_started_with_a_backlog_in_its_outbox_holds_it_there_while_the_Worker_is_behind_and_all_is_stored_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:Compression"] = "None",
            ["Kafka:RetentionGuard:RetentionBytes"] = KafkaRetentionGuardOptions.DevBrokerPartitionBytes.ToString(CultureInfo.InvariantCulture),
            ["Imports:MaxHoldWait"] = "00:00:01",
        };
        await using var pipeline = await Pipeline.StartAsync(db, workerAsProcess: true, partitions: 1,
            worker: new Dictionary<string, string?> { ["Worker:Storing:ThrottlePerChunk"] = "00:00:00.100" }, apiSettings: settings);
        pipeline.WorkerProcess!.Kill();
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(() => WatchDeletedUnconsumed(pipeline, stop.Token));
        using var uploader = pipeline.Api.CreateClient(TimeSpan.FromSeconds(60 + ((long)Lines * LineBytes / 200_000)));
        Assert.True((await uploader.PostAsync("/api/imports", ImportFiles.Content(PaddedLines()))).IsSuccessStatusCode);
        await Eventually.TrueAsync(async () =>
                await PrometheusScrape.SumAsync(pipeline.Api.Client, "logbus_messaging_kafka_delivery_held", ("topic", pipeline.Topic)) == 1,
            TimeSpan.FromSeconds(15), "delivery to the topic is held while the Worker is away");

        // The Api restarted (a new one on the same database and broker, the first stopped: two delivering at once would each
        // count only their own records): its delivery service finds the backlog at once, and its producer has delivered
        // nothing it could learn a record's size from.
        await pipeline.Api.DisposeAsync();
        settings["Kafka:Topics:LogEvents"] = pipeline.Topic;
        settings["Kafka:Topics:Imports"] = pipeline.Topic + ".progress";
        settings["Kafka:RetentionGuard:LogEventsConsumerGroups"] = pipeline.WorkerSettings["Worker:Storing:ConsumerGroup"];
        settings["Kafka:RetentionGuard:ImportsConsumerGroups"] = pipeline.WorkerSettings["Worker:Imports:ConsumerGroup"];
        await using var restarted = ApiHost.Start(db, settings, deliver: true, kafka: pipeline.Broker.BootstrapServers);
        Assert.Equal(HttpStatusCode.OK, (await restarted.Client.GetAsync("/health/live")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.True(await pipeline.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message") > 0,
            "the backlog still waits in the outbox");

        await pipeline.WorkerProcess.StartAsync();
        await pipeline.WaitForStoredAsync(Lines, TimeSpan.FromSeconds(60 + ((long)Lines * LineBytes / 200_000)));
        await stop.CancelAsync();
        var deletedUnconsumed = await watch;
        await pipeline.AssertExactlyAsync(Lines);
        Assert.True(deletedUnconsumed.Count == 0, "the broker deleted records the Worker had not committed: " + string.Join("; ", deletedUnconsumed));
    }

    [Fact]
    public async Task Records_spread_over_many_partitions_are_not_held_while_no_partition_nears_the_retention()
    {
        await using var db = await SpecDatabase.CreateAsync();
        // Half this retention (where delivery holds here) is about a third of what the spec sends in all (120 chunks of
        // some 12 KB), and about three times what the most loaded of the 12 partitions gets, even with the Worker far behind.
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 12,
            worker: new Dictionary<string, string?> { ["Worker:Storing:ThrottlePerChunk"] = "00:00:00.050" },
            apiSettings: new Dictionary<string, string?>
            {
                ["Kafka:Compression"] = "None",
                ["Kafka:RetentionGuard:RetentionBytes"] = "1000000",
                ["Kafka:RetentionGuard:HoldAtRatio"] = "0.5",
                ["Kafka:RetentionGuard:ResumeAtRatio"] = "0.25",
                ["Kafka:RetentionGuard:CheckInterval"] = "00:00:00.200",
            });
        // One request at a time: until the Api's first chunk is acknowledged it has no record size to go by and counts a
        // record on its way as the largest the producer may send (1 MB), all of this spec's retention.
        var first = await pipeline.IngestAsync(100, batchSize: 50, parallel: 1, prefix: "first");
        await pipeline.WaitForStoredAsync(first.Count, TimeSpan.FromSeconds(30));
        // The guard has looked at the topic (every 200 ms): from here on it judges every chunk sent.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var rest = await pipeline.IngestAsync(6_000, batchSize: 50, parallel: 8, prefix: "rest");

        await pipeline.WaitForStoredAsync(first.Count + rest.Count, TimeSpan.FromSeconds(90));
        await pipeline.AssertExactlyAsync(first.Count + rest.Count);
        Assert.Equal(0, await PrometheusScrape.SumAsync(pipeline.Api.Client, "logbus_messaging_kafka_delivery_holds",
            ("topic", pipeline.Topic)));
    }

    [Fact]
    public async Task Records_delivered_right_after_start_are_kept_for_a_replay_before_the_guard_looks_again()
    {
        await using var db = await SpecDatabase.CreateAsync();
        // The guard looks at start (delivery waits for that look) and then not for ten minutes: what is delivered meanwhile
        // stays kept for a replay, though the Worker consumed it, until a look sees that.
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 4,
            apiSettings: new Dictionary<string, string?> { ["Kafka:RetentionGuard:CheckInterval"] = "00:10:00" });

        var early = await pipeline.IngestAsync(400, batchSize: 100, prefix: "early");
        await pipeline.WaitForStoredAsync(early.Count, TimeSpan.FromSeconds(30));

        Assert.True(await KeptForReplayAsync(pipeline) > 0, "the Api keeps what it delivered until the guard looks again");
    }

    /// <summary>Waits of an import's chunk for the hold on this pipeline's topic to lift, by outcome; null when none.</summary>
    private static Task<double?> HoldWaitsAsync(Pipeline pipeline, string outcome) =>
        PrometheusScrape.SumAsync(pipeline.Api.Client, "logbus_ingest_import_hold_wait_seconds_count", ("topic", pipeline.Topic),
            ("outcome", outcome));

    /// <summary>
    /// Keeps a row in <c>spec_outbox_chunks</c> for every chunk the Api commits to its outbox: the outbox's own rows are
    /// deleted once delivered.
    /// </summary>
    private static async Task RecordOutboxChunksAsync(SpecDatabase db)
    {
        await using var command = db.DataSource.CreateCommand("""
            CREATE TABLE spec_outbox_chunks (message_id uuid);
            CREATE FUNCTION spec_record_outbox_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO spec_outbox_chunks VALUES (NEW.message_id); RETURN NEW; END $$;
            CREATE TRIGGER spec_outbox_chunks AFTER INSERT ON messaging.outbox_message FOR EACH ROW
            WHEN (NEW.outbox_id IS NOT NULL AND NEW.message_type LIKE '%LogEventsAccepted') EXECUTE FUNCTION spec_record_outbox_chunk();
            """);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task WaitForCompletedAsync(Pipeline pipeline, Guid id)
    {
        JsonElement? status = null;
        await Eventually.TrueAsync(async () =>
            {
                status = await pipeline.Api.Client.GetFromJsonAsync<JsonElement>($"/api/imports/{id}");
                return status.Value.GetProperty("state").GetString() == "Completed";
            },
            TimeSpan.FromSeconds(60 + ((long)Lines * LineBytes / 200_000)), "the import completes", () => status?.GetRawText());
    }

    private static async Task<double?> KeptForReplayAsync(Pipeline pipeline) =>
        await PrometheusScrape.SumAsync(pipeline.Api.Client, "logbus_messaging_kafka_replay_kept_bytes", ("topic", pipeline.Topic));

    /// <summary>Samples the topic's log start against the Worker group's committed offsets, until stopped.</summary>
    private static async Task<List<string>> WatchDeletedUnconsumed(Pipeline pipeline, CancellationToken stop)
    {
        var found = new List<string>();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = pipeline.Broker.BootstrapServers,
            GroupId = pipeline.WorkerSettings["Worker:Storing:ConsumerGroup"],
        }).Build();
        var partitions = new List<TopicPartition> { new(pipeline.Topic, 0) };
        while (!stop.IsCancellationRequested)
        {
            try
            {
                foreach (var committed in consumer.Committed(partitions, TimeSpan.FromSeconds(5)))
                {
                    var low = consumer.QueryWatermarkOffsets(committed.TopicPartition, TimeSpan.FromSeconds(5)).Low.Value;

                    var position = Math.Max(0, committed.Offset.Value);
                    if (low > position)
                    {
                        found.Add($"[{committed.Partition.Value}] log starts at {low}, group committed {position}");
                    }
                }

                await Task.Delay(200, stop);
            }
            catch (KafkaException)
            {
                // A look that timed out on a busy machine; the next one follows.
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return found;
    }

    private static IEnumerable<string> PaddedLines()
    {
        var start = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var padding = new string('x', Math.Max(0, LineBytes - 150));
        for (var line = 1; line <= Lines; line++)
        {
            yield return JsonSerializer.Serialize(new
            {
                timestamp = start.AddMilliseconds(line * 7L),
                level = "INFO",
                source = "retention-spec",
                message = $"imported line {line} {padding}",
            });
        }
    }

    private static int Setting(string name, int byDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : byDefault;
}
