using System.Text;
using System.Text.Json;
using Logbus.Api.Ingest;
using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.ServiceDefaults.Security;
using Logbus.Storage.Imports;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Imports;

/// <summary>
/// Streams one uploaded file into chunks: records are read, validated and cut into chunks as they arrive, each chunk
/// produced straight to Kafka (<see cref="DirectProducer"/>) or committed to the outbox in its own transaction, so memory
/// stays at one chunk whatever the file's size. The last chunk commits to the outbox together with the end of the file.
/// The saga hears of the start, of the end (how many chunks make the file) or of a broken-off upload.
/// </summary>
/// <remarks>
/// While the retention guard holds the topic (the Worker is far behind), a chunk waits for the hold to lift, up to
/// <see cref="ImportUploadOptions.MaxHoldWait"/>, and the upload is read no further meanwhile: the client is slowed to
/// the pace the Worker stores at. Committing the chunk to the outbox instead would hand PostgreSQL, the very part that is
/// behind, the chunk twice (into the outbox and out again) before storing it. An upload therefore lasts about as long
/// as storing it takes: clients of large imports need a long timeout.
/// <para>
/// A chunk is sent under its own id as MessageId on either path: one whose produce timed out and reached the broker
/// anyway and the outbox's copy are one message to the Worker's inbox. The saga takes its messages in any order, so a
/// chunk produced straight away may be stored before the outbox delivers the upload's start.
/// </para>
/// </remarks>
public sealed class ImportUpload(
    ImportRecordReader records,
    EventValidator validator,
    EventIngestor ingestor,
    DirectProducer direct,
    IServiceScopeFactory scopes,
    IOptions<IngestOptions> ingestOptions,
    IOptions<ImportUploadOptions> importOptions,
    IOptions<TopicOptions> topics,
    TimeProvider time,
    ILogger<ImportUpload> logger)
{
    // How often a waiting chunk looks whether the hold lifted: the guard decides once a look at the lag (every second by
    // default), so a chunk resumes within a twentieth of that, at the cost of a flag read.
    private static readonly TimeSpan HoldLook = TimeSpan.FromMilliseconds(50);

    private readonly IngestOptions _ingest = ingestOptions.Value;
    private readonly ImportUploadOptions _options = importOptions.Value;
    private readonly string _eventsTopic = topics.Value.LogEvents;
    private readonly Uri _events = TopicAddress.For(topics.Value.LogEvents);
    private readonly Uri _imports = TopicAddress.For(topics.Value.Imports);

    /// <param name="idScope">What the ids of lines without one derive from (with the line number).</param>
    /// <param name="undatedAt">The timestamp of lines without one: the same for every line, and in every retry of the upload.</param>
    /// <param name="key">The uploading key: its name is recorded, and a line outside its sources is rejected like any invalid line.</param>
    public async Task<ImportSummary> RunAsync(Guid importId, string idScope, DateTimeOffset undatedAt, Stream body, ImportFormat format,
        string? fileName, string? defaultSource, ApiKeyIdentity? key, CancellationToken cancellationToken)
    {
        var summary = new ImportSummary(importId);
        var started = new ImportStarted(importId, fileName, ImportFormats.Name(format), time.GetUtcNow());
        await using (var scope = scopes.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ImportStatusStore>()
                .StartAsync(importId, fileName, started.Format, started.StartedAt, key?.Name, cancellationToken);
        }

        await ingestor.CommitAsync((endpoints, token) => SendKeyed(endpoints, _imports, started, importId, token), cancellationToken);

        var chunk = new List<AcceptedLogEvent>();
        var chunkBytes = 0;
        var errors = new List<FieldError>();
        var route = new ChunkRoute { WaitsForHolds = _options.MaxHoldWait > TimeSpan.Zero };
        try
        {
            await foreach (var record in records.ReadAsync(body, format, defaultSource, cancellationToken))
            {
                summary.LinesRead = record.Line;
                if (Accept(record, idScope, undatedAt, key, errors) is not { } accepted)
                {
                    summary.Reject(record.Line, record.Unreadable ?? string.Join("; ", errors.Select(e => $"{e.Field} {e.Reason}")),
                        _options.MaxReportedErrors);
                    errors.Clear();
                    continue;
                }

                summary.Accepted++;
                var size = EventChunker.SizeOf(accepted);
                if (EventChunker.StartsNewChunk(chunk.Count, chunkBytes, size, _ingest.ChunkMaxEvents, _ingest.ChunkMaxBytes))
                {
                    await CommitChunkAsync(summary, chunk, null, route, cancellationToken);
                    chunk = [];
                    chunkBytes = 0;
                    if (summary.Chunks % _options.CancelCheckEveryChunks == 0 && await IsCancelledAsync(importId, cancellationToken))
                    {
                        summary.Cancelled = true;
                        break;
                    }
                }

                chunk.Add(accepted);
                chunkBytes += size;
            }
        }
        catch (Exception exception) when (IsBrokenUpload(exception))
        {
            await ReportBrokenAsync(summary, exception);
            throw;
        }

        var lastChunk = chunk.Count > 0 && !summary.Cancelled;
        var received = new ImportReceived(importId, summary.LinesRead, summary.Accepted, summary.Rejected, summary.Chunks + (lastChunk ? 1 : 0),
            summary.Errors, summary.Cancelled, time.GetUtcNow());
        if (lastChunk)
        {
            // The last chunk and the end of the file commit together.
            await CommitChunkAsync(summary, chunk, received, route, cancellationToken);
        }
        else
        {
            await ingestor.CommitAsync((endpoints, token) => SendKeyed(endpoints, _imports, received, importId, token), cancellationToken);
        }

        return summary;
    }

    private AcceptedLogEvent? Accept(ImportRecord record, string idScope, DateTimeOffset undatedAt, ApiKeyIdentity? key,
        List<FieldError> errors)
    {
        if (record.Event is not { } incoming)
        {
            return null;
        }

        var accepted = validator.Validate(incoming, record.DefaultSource, time.GetUtcNow(), errors);
        if (accepted is null)
        {
            return null;
        }

        if (key is not null && !key.Covers(accepted.Source))
        {
            errors.Add(new FieldError("source",
                $"'{accepted.Source}' is outside the sources the key '{key.Name}' may send ({string.Join(", ", key.Sources)})."));
            return null;
        }

        // An event is the same event only with the same id and timestamp: a line without them gets both from the upload
        // (its key, else its import), never from the clock, so the same file uploaded again is found duplicate.
        if (incoming.Id is not { ValueKind: not JsonValueKind.Null })
        {
            accepted = accepted with { Id = ImportedEventIds.For(idScope, record.Line) };
        }

        return incoming.Timestamp is not { ValueKind: not JsonValueKind.Null } ? accepted with { Timestamp = undatedAt } : accepted;
    }

    /// <summary>
    /// Sends one chunk: straight to Kafka while <paramref name="route"/> still tries it and it is not the last (which
    /// commits with <paramref name="end"/>), else, or when Kafka did not take it, to the outbox.
    /// </summary>
    private async Task CommitChunkAsync(ImportSummary summary, List<AcceptedLogEvent> chunk, ImportReceived? end, ChunkRoute route,
        CancellationToken cancellationToken)
    {
        var number = summary.Chunks;
        var message = new LogEventsAccepted(NewId.NextSequentialGuid(), summary.ImportId, number, chunk);
        summary.Chunks++;
        if (end is null && route.TriesKafka && await ProduceAsync(message, route, cancellationToken))
        {
            IngestMetrics.ChunksSent(IngestMetrics.DirectPath, 1);
            return;
        }

        await ingestor.CommitAsync(async (endpoints, token) =>
        {
            var topic = await endpoints.GetSendEndpoint(_events);
            await topic.Send(message, context => context.MessageId = message.ChunkId, token);
            if (end is not null)
            {
                await SendKeyed(endpoints, _imports, end, summary.ImportId, token);
            }
        }, cancellationToken);
        IngestMetrics.ChunksSent(IngestMetrics.OutboxPath, 1);
    }

    /// <summary>True once Kafka acknowledged <paramref name="message"/>; a held topic is waited for while the route may wait.</summary>
    private async Task<bool> ProduceAsync(LogEventsAccepted message, ChunkRoute route, CancellationToken cancellationToken)
    {
        // The chunk's waits together are bounded, though a hold may lift and come back between them.
        long? heldSince = null;
        while (true)
        {
            switch (await direct.ProduceAsync(message, cancellationToken))
            {
                case DirectProduceOutcome.Produced:
                    return true;
                case DirectProduceOutcome.NotTaken:
                    // Kafka away or slow: chunk after chunk would wait out the producer's timeout as its breaker's trial,
                    // so the rest of the upload follows this one to the outbox.
                    route.TriesKafka = false;
                    return false;
            }

            if (!route.WaitsForHolds)
            {
                return false;
            }

            heldSince ??= time.GetTimestamp();
            var waitStart = time.GetTimestamp();
            while (direct.IsHolding() && time.GetElapsedTime(heldSince.Value) < _options.MaxHoldWait)
            {
                await Task.Delay(HoldLook, time, cancellationToken);
            }

            var lifted = !direct.IsHolding();
            IngestMetrics.ImportHoldWaited(_eventsTopic, lifted, time.GetElapsedTime(waitStart));
            if (!lifted)
            {
                // Held this long, the Worker is likely stopped (or the broker unseen since the Api started): from here on a
                // chunk of this upload that finds the topic held goes to the outbox at once, which delivers it once the
                // hold lifts.
                route.WaitsForHolds = false;
                logger.LogWarning("Import {ImportId}: Kafka's retention guard held {Topic} for over {MaxHoldWait} (Imports:MaxHoldWait): the "
                    + "Worker is far behind, or the broker has not been reached since the Api started. While it holds, the upload's chunks "
                    + "go to the outbox without waiting, delivered once the hold lifts", message.ImportId, _eventsTopic, _options.MaxHoldWait);
                return false;
            }
        }
    }

    private async Task<bool> IsCancelledAsync(Guid importId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ImportStatusStore>().IsCancelRequestedAsync(importId, cancellationToken);
    }

    /// <summary>Tells the saga the upload broke off, if PostgreSQL takes it; if not, its watchdog finds the import stalled.</summary>
    private async Task ReportBrokenAsync(ImportSummary summary, Exception exception)
    {
        var failed = new ImportUploadFailed(summary.ImportId, Describe(exception, summary.LinesRead), summary.LinesRead, summary.Accepted,
            summary.Rejected,
            summary.Chunks, summary.Errors, time.GetUtcNow());
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ingestor.CommitAsync((endpoints, token) => SendKeyed(endpoints, _imports, failed, summary.ImportId, token), timeout.Token);
        }
        catch (Exception reportFailure) when (reportFailure is not OutOfMemoryException)
        {
            // The upload's own error is what the client hears; the saga's watchdog finds the import stalled instead.
        }
    }

    private static async Task SendKeyed<T>(ISendEndpointProvider endpoints, Uri topic, T message, Guid importId, CancellationToken cancellationToken)
        where T : class
    {
        var endpoint = await endpoints.GetSendEndpoint(topic);
        await endpoint.Send(message, context => context.SetKafkaKey(importId.ToString()), cancellationToken);
    }

    /// <summary>How the chunks of one upload are sent, as learnt from the chunks before.</summary>
    private sealed class ChunkRoute
    {
        /// <summary>False once Kafka failed a chunk: the rest go to the outbox.</summary>
        public bool TriesKafka { get; set; } = true;

        /// <summary>
        /// False once a chunk waited out <see cref="ImportUploadOptions.MaxHoldWait"/>: a held topic then sends the chunk to the outbox.
        /// </summary>
        public bool WaitsForHolds { get; set; } = true;
    }

    private static bool IsBrokenUpload(Exception exception) =>
        exception is IOException or InvalidDataException or BadHttpRequestException or OperationCanceledException
            or ImportLimitExceededException;

    private static string Describe(Exception exception, long line) => exception switch
    {
        InvalidDataException => $"the compressed upload is corrupt after line {line}: {exception.Message}",
        ImportLimitExceededException => $"the upload was stopped after line {line}: {exception.Message}",
        BadHttpRequestException or IOException or OperationCanceledException => $"the upload broke off after line {line} (the client went away)",
        _ => exception.Message,
    };
}
