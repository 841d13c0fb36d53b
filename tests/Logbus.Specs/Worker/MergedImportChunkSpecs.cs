extern alias worker;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Contracts;
using Logbus.Messaging.EntityFrameworkCore.Model;
using Logbus.Specs.Imports;
using Logbus.Specs.Infrastructure;
using Logbus.Storage;
using Logbus.Storage.Imports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using worker::Logbus.Worker.Storing;

namespace Logbus.Specs.Worker;

/// <summary>
/// Chunks of an import merge into store transactions like any other record, and each still reports its progress to the
/// import saga through the consumer outbox, exactly once.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class MergedImportChunkSpecs
{
    private const int Lines = 10_000;

    /// <summary>The Api's chunks of an import hold 1,000 lines.</summary>
    private const int Chunks = Lines / 1_000;

    [Fact]
    public async Task An_imports_chunks_waiting_for_a_slot_are_stored_together_and_the_import_completes_with_exact_counts()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 1, worker: new Dictionary<string, string?>
        {
            ["Worker:Storing:StoreConcurrency"] = "1",
            ["Worker:Storing:ConcurrentChunksPerPartition"] = "16",
        });

        Guid id;
        // While a transaction holds log_events the first chunk's store waits, and the chunks behind it pile up for the slot.
        await using (var holder = await db.DataSource.OpenConnectionAsync())
        await using (var hold = await holder.BeginTransactionAsync())
        {
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE log_events IN SHARE MODE", holder, hold))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var response = await pipeline.Api.Client.PostAsync("/api/imports", ImportFiles.Content(ImportFiles.Ndjson(Lines)));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
            await Task.Delay(TimeSpan.FromSeconds(2));
            await hold.RollbackAsync();
        }

        var status = await Eventually.ValueAsync(async () =>
        {
            var s = await pipeline.Api.Client.GetFromJsonAsync<JsonElement>($"/api/imports/{id}");
            return s.GetProperty("state").GetString() is "Receiving" or "Persisting" ? (JsonElement?)null : s;
        }, TimeSpan.FromMinutes(2), "the import finished");
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Equal((long)Lines, status.GetProperty("stored").GetInt64());
        Assert.Equal(0L, status.GetProperty("duplicates").GetInt64());
        Assert.Equal(Chunks, status.GetProperty("chunksStored").GetInt32());
        Assert.Equal((long)Lines, await db.ScalarAsync<long>("SELECT count(DISTINCT id) FROM log_events WHERE import_id = @id", ("id", id)));

        // Commit timestamps name the transactions that stored the rows (each chunk is a write of its own within them).
        var transactions = await db.ScalarAsync<long>(
            "SELECT count(DISTINCT pg_xact_commit_timestamp(xmin)) FROM log_events WHERE import_id = @id", ("id", id));
        Assert.True(transactions < Chunks, $"{Chunks} chunks were stored in {transactions} transactions: none were merged");

        // The Worker sent every progress message itself: no record came a second time for the inbox to send it.
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state WHERE receive_count > 1"));

        // Every progress message was sent and taken out of the consumer outbox, and every inbox row says so.
        await Eventually.TrueAsync(async () =>
                await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message WHERE inbox_message_id IS NOT NULL") == 0
                && await db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state WHERE delivered IS NULL") == 0,
            TimeSpan.FromSeconds(30), "the consumer outbox is empty and every inbox row is delivered");
    }

    [Fact]
    public async Task A_merged_chunk_whose_progress_cannot_be_sent_keeps_it_in_the_outbox_for_the_inbox_and_goes_the_per_record_way()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var (store, _) = StoreOn(db);
        var importId = Guid.NewGuid();
        var consumerId = Guid.NewGuid();
        var sent = new List<LogEventsStored>();
        MergeableRecord Chunk(int number, bool sendFails)
        {
            var chunkId = Guid.NewGuid();
            var rows = Enumerable.Range(0, 3).Select(i => Row($"chunk-{number}-{i}", importId)).ToList();
            LogEventsStored? progress = null;
            return new MergeableRecord(chunkId, null, rows, CancellationToken.None, new MergedImportChunk(importId, chunkId, number, rows.Count,
                p =>
                {
                    progress = p;
                    return Task.FromResult(Captured(p));
                },
                _ =>
                {
                    if (sendFails)
                    {
                        throw new InvalidOperationException("the broker is away");
                    }

                    sent.Add(progress!);
                    return Task.CompletedTask;
                }));
        }

        var delivered = Chunk(0, sendFails: false);
        var failed = Chunk(1, sendFails: true);
        var other = new MergeableRecord(Guid.NewGuid(), null, [Row("not-imported", null)], CancellationToken.None);

        await store.StoreAsync([delivered, failed, other], consumerId);

        Assert.Equal(MergeOutcome.Stored, await delivered.Outcome);
        Assert.Equal(MergeOutcome.StoreAlone, await failed.Outcome);
        Assert.Equal(MergeOutcome.Stored, await other.Outcome);
        Assert.Equal((0, 3, 0), (sent.Single().ChunkNumber, sent.Single().Stored, sent.Single().Duplicates));
        Assert.Equal(7L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
        Assert.Equal(6L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE import_id = @id", ("id", importId)));

        // The one not sent: consumed, not delivered, its progress in the outbox for the inbox to send when the record comes again.
        Assert.Equal("consumed, not delivered", await InboxAsync(db, failed.MessageId, consumerId));
        Assert.Equal("consumed, delivered", await InboxAsync(db, delivered.MessageId, consumerId));
        Assert.Equal("consumed, delivered", await InboxAsync(db, other.MessageId, consumerId));
        Assert.Equal(1L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox_message WHERE inbox_message_id = @m AND inbox_consumer_id = @c",
            ("m", failed.MessageId), ("c", consumerId)));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message"));
        var body = await db.ScalarAsync<string>("SELECT body FROM messaging.outbox_message");
        var waiting = JsonSerializer.Deserialize<LogEventsStored>(body, JsonSerializerOptions.Web)!;
        Assert.Equal((failed.MessageId, 1, 3), (waiting.ChunkId, waiting.ChunkNumber, waiting.Stored));

        // Its copy meets the row consumed and not delivered: it alone goes the per-record way, the records beside it are stored.
        var copy = new MergeableRecord(failed.MessageId, null, failed.Rows, CancellationToken.None, failed.Import);
        var next = new MergeableRecord(Guid.NewGuid(), null, [Row("after", null)], CancellationToken.None);
        await store.StoreAsync([copy, next], consumerId);
        Assert.Equal(MergeOutcome.StoreAlone, await copy.Outcome);
        Assert.Equal(MergeOutcome.Stored, await next.Outcome);
        Assert.Equal(8L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
        Assert.Equal("consumed, not delivered", await InboxAsync(db, failed.MessageId, consumerId));
    }

    [Fact]
    public async Task A_merged_chunk_of_an_import_asked_to_cancel_stores_nothing_and_reports_its_events_skipped()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var (store, services) = StoreOn(db);
        var cancelled = Guid.NewGuid();
        await using (var scope = services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
            context.Set<ImportState>().Add(new ImportState
            {
                CorrelationId = cancelled, CurrentState = "Receiving", StartedAt = DateTimeOffset.UtcNow, CancelRequestedAt = DateTimeOffset.UtcNow,
            });
            await context.SaveChangesAsync();
        }

        var reports = new List<LogEventsStored>();
        var chunkId = Guid.NewGuid();
        var consumerId = Guid.NewGuid();
        var rows = Enumerable.Range(0, 4).Select(i => Row($"cancelled-{i}", cancelled)).ToList();
        var record = new MergeableRecord(chunkId, null, rows, CancellationToken.None, new MergedImportChunk(cancelled, chunkId, 0, rows.Count,
            p =>
            {
                reports.Add(p);
                return Task.FromResult(Captured(p));
            },
            _ => Task.CompletedTask));

        await store.StoreAsync([record, new MergeableRecord(Guid.NewGuid(), null, [Row("kept", null)], CancellationToken.None)], consumerId);

        Assert.Equal(MergeOutcome.Stored, await record.Outcome);
        Assert.Equal((0, 0, 4), (reports.Single().Stored, reports.Single().Duplicates, reports.Single().Skipped));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
    }

    [Fact]
    public async Task A_merged_chunk_of_an_import_that_repeats_stored_events_counts_them_as_duplicates_and_the_rest_as_stored()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var (store, _) = StoreOn(db);
        var importId = Guid.NewGuid();
        var consumerId = Guid.NewGuid();
        var earlier = Row("sent-before", importId);
        await store.StoreAsync([new MergeableRecord(Guid.NewGuid(), null, [earlier], CancellationToken.None)], consumerId);

        var reports = new List<LogEventsStored>();
        var chunkId = Guid.NewGuid();
        var again = new LogEvent
        {
            Id = earlier.Id, Timestamp = earlier.Timestamp, Level = earlier.Level, Message = earlier.Message, Source = earlier.Source,
            ImportId = importId, ReceivedAt = earlier.ReceivedAt,
        };
        var chunk = new MergeableRecord(chunkId, null, [again, Row("new-1", importId), Row("new-2", importId)], CancellationToken.None,
            new MergedImportChunk(importId, chunkId, 0, 3, p =>
            {
                reports.Add(p);
                return Task.FromResult(Captured(p));
            }, _ => Task.CompletedTask));
        var beside = new MergeableRecord(Guid.NewGuid(), null, [Row("beside", null)], CancellationToken.None);

        await store.StoreAsync([chunk, beside], consumerId);

        Assert.Equal(MergeOutcome.Stored, await chunk.Outcome);
        Assert.Equal(MergeOutcome.Stored, await beside.Outcome);
        Assert.Equal((2, 1), (reports.Single().Stored, reports.Single().Duplicates));
        Assert.Equal(4L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
    }

    /// <summary>The Worker's merged store on the spec's database, with the DbContext it writes the consumer outbox through.</summary>
    private static (MergedStore Store, ServiceProvider Services) StoreOn(SpecDatabase db)
    {
        var services = new ServiceCollection()
            .AddDbContext<LogbusDbContext>(o => o.UseLogbusNpgsql(db.DataSource))
            .BuildServiceProvider();
        return (new MergedStore(db.DataSource, "messaging.inbox_state", copyDirect: true, null, NullLogger.Instance, TimeProvider.System,
            services.GetRequiredService<IServiceScopeFactory>()), services);
    }

    private static LogEvent Row(string id, Guid? importId) => new()
    {
        Id = id,
        Timestamp = DateTimeOffset.UtcNow,
        Level = "INFO",
        Message = "an imported line",
        Source = "merged-import-spec",
        ImportId = importId,
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>An outbox row as the consume context would capture it: the progress as raw JSON to the imports topic.</summary>
    /// <summary>The merged store sets the inbox row the message belongs to.</summary>
    private static OutboxMessage Captured(LogEventsStored progress) => new()
    {
        MessageId = Guid.NewGuid(),
        SentTime = DateTime.UtcNow,
        ContentType = "application/json",
        MessageType = "urn:message:Logbus.Contracts:LogEventsStored",
        Body = JsonSerializer.Serialize(progress, JsonSerializerOptions.Web),
        DestinationAddress = new Uri("topic:log-imports"),
    };

    private static async Task<string> InboxAsync(SpecDatabase db, Guid messageId, Guid consumerId) =>
        await db.ScalarAsync<string>("""
            SELECT CASE WHEN consumed IS NULL THEN 'not consumed' ELSE 'consumed' END
                   || CASE WHEN delivered IS NULL THEN ', not delivered' ELSE ', delivered' END
            FROM messaging.inbox_state WHERE message_id = @m AND consumer_id = @c
            """, ("m", messageId), ("c", consumerId));
}
