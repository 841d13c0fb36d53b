using System.Diagnostics;
using System.Threading.Channels;
using Logbus.Contracts;
using Logbus.Messaging.EntityFrameworkCore.Inbox;
using MassTransit;
using MassTransit.JobService;
using MassTransit.Logging;
using MassTransit.Metadata;
using MassTransit.Transports;
using Logbus.Messaging.Kafka;

namespace Logbus.Worker.Storing;

/// <summary>
/// Runs at most <see cref="StoringOptions.StoreConcurrency"/> store transactions at once, however many partitions and
/// lanes this Worker has, and stores the records that wait meanwhile together: when a slot frees, every mergeable record
/// waiting (up to <see cref="StoringOptions.MergeMaxRecords"/> records and <see cref="StoringOptions.MergeMaxEvents"/>
/// events) goes into one transaction of <see cref="MergedStore"/>, chunks of imports too (unless
/// <see cref="StoringOptions.MergeImportChunks"/> is off). Other records (records the Worker cannot read or whose events it
/// cannot store, records handed back by a merged transaction) take a slot each and go on to the inbox and
/// <see cref="LogEventsAcceptedConsumer"/>.
/// </summary>
/// <remarks>
/// Bounded to the cores, records wait in their lanes instead of in PostgreSQL's lock contention: a dozen lanes each
/// inserting into the same table partition and its indexes on two cores made a stored row cost several times the
/// PostgreSQL time it costs alone (bench/README.md). Merged, a small chunk stops costing a transaction of its own. Sits
/// inside the retry filter and the circuit breaker: a record waiting out an outage between attempts holds no slot.
/// </remarks>
public sealed class MergingStoreFilter : IFilter<ConsumeContext>, IDisposable
{
    // The name MassTransit's inbox reports a consume under, so merged and per-record consumes are one series.
    private static readonly string ConsumerType = TypeMetadataCache<LogEventsAcceptedConsumer>.ShortName;

    private readonly SemaphoreSlim _slots;
    private readonly Channel<MergeableRecord> _waiting =
        Channel.CreateUnbounded<MergeableRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StoringOptions _options;
    private readonly MergedStore _store;
    private readonly IInboxMessageIdProvider _messageIds;
    private readonly Uri _progressTopic;
    private readonly ILogger _logger;
    private readonly Lazy<Task> _dispatcher;
    private readonly Lock _consumerIdGate = new();
    private Guid? _consumerId;

    /// <param name="progressTopic">Where a chunk of an import reports its progress, as <see cref="LogEventsAcceptedConsumer"/> does.</param>
    public MergingStoreFilter(StoringOptions options, MergedStore store, IInboxMessageIdProvider messageIds, Uri progressTopic, ILogger logger)
    {
        _progressTopic = progressTopic;
        _options = options;
        _store = store;
        _messageIds = messageIds;
        _logger = logger;
        _slots = new SemaphoreSlim(options.StoreConcurrency, options.StoreConcurrency);
        // Not in the first record's execution context: its trace would own every merged store after it.
        _dispatcher = new Lazy<Task>(() =>
        {
            using (ExecutionContext.SuppressFlow())
            {
                return Task.Run(DispatchAsync);
            }
        });
    }

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        // A closed queue (the endpoint is stopping) or a dispatcher that ended leaves every record the per-record way.
        if (Mergeable(context) is var (record, typed) && !_dispatcher.Value.IsCompleted && _waiting.Writer.TryWrite(record))
        {
            var waited = Stopwatch.StartNew();
            var outcome = await record.Outcome.WaitAsync(context.CancellationToken);
            if (outcome != MergeOutcome.StoreAlone)
            {
                // What MassTransit's consumer filter records of a consume (count, duration, time since sent), recorded once
                // the outcome is known: a record handed back is counted by the consumer that then takes it.
                LogContext.Current?.StartConsumeInstrument<LogEventsAcceptedConsumer, LogEventsAccepted>(typed, waited)?.Stop();
                // Handled here, not by a consumer: without this the transport would count the record as skipped.
                await typed.NotifyConsumed(typed, waited.Elapsed, ConsumerType);
                return;
            }
        }

        await _slots.WaitAsync(context.CancellationToken);
        try
        {
            await next.Send(context);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("mergingStore");
        scope.Add("storeConcurrency", _options.StoreConcurrency);
        scope.Add("mergeMaxRecords", _options.MergeMaxRecords);
    }

    /// <remarks>The slots are not disposed: a store still running releases its slot when it ends.</remarks>
    public void Dispose() => _waiting.Writer.TryComplete();

    private (MergeableRecord Record, ConsumeContext<LogEventsAccepted> Typed)? Mergeable(ConsumeContext context)
    {
        if (_options.MergeMaxRecords < 2 || _options.ThrottlePerChunk > TimeSpan.Zero)
        {
            return null;
        }

        ConsumeContext<LogEventsAccepted>? typed;
        try
        {
            if (!context.TryGetMessage(out typed))
            {
                return null;
            }
        }
        catch (Exception)
        {
            // Unreadable: the per-record path fails it with the reason, and it is dead-lettered.
            return null;
        }

        var chunk = typed.Message;
        if ((chunk.ImportId is not null && (!_options.MergeImportChunks || chunk.ChunkNumber is null))
            || chunk.Events is not { Count: > 0 } events || _messageIds.GetMessageId(context) is not { } messageId)
        {
            return null;
        }

        var rows = new List<Storage.LogEvent>(events.Count);
        foreach (var e in events)
        {
            if (StorableEvent.ProblemWith(e) is not null)
            {
                return null;
            }

            rows.Add(StorableEvent.ToRow(e, chunk.ImportId));
        }

        // MassTransit's inbox names a consumer by its type, its message type and its endpoint: the merged inbox rows must
        // be the rows the per-record path locks, or a redelivered copy would not be recognised.
        // Partitions' lanes ask at once; a Guid? is not written in one step.
        lock (_consumerIdGate)
        {
            _consumerId ??= JobMetadataCache<LogEventsAcceptedConsumer, LogEventsAccepted>.GenerateJobTypeId(
                context.ReceiveContext.InputAddress.GetEndpointName() ?? "");
        }

        var import = chunk is { ImportId: { } importId, ChunkNumber: { } chunkNumber }
            ? new MergedImportChunk(importId, chunk.ChunkId, chunkNumber, events.Count,
                progress => ConsumerOutboxMessages.CaptureSendAsync(typed, _progressTopic, progress,
                    send => send.SetKafkaKey(importId.ToString()), CancellationToken.None),
                row => ConsumerOutboxMessages.DeliverAsync(typed, row, typed.CancellationToken))
            : null;
        return (new MergeableRecord(messageId, context.ExpirationTime, rows, context.CancellationToken, import), typed);
    }

    private async Task DispatchAsync()
    {
        var reader = _waiting.Reader;
        while (await reader.WaitToReadAsync())
        {
            try
            {
                await DispatchWaitingAsync(reader);
            }
            catch (Exception e)
            {
                // Never leave records waiting on a dispatcher that stopped: each goes the per-record way.
                _logger.LogError(e, "Merging waiting records failed; they are stored one by one");
                while (reader.TryRead(out var record))
                {
                    record.Complete(MergeOutcome.StoreAlone);
                }
            }
        }
    }

    /// <summary>Takes a slot, then every record waiting by then (within the limits) into one merged store.</summary>
    private async Task DispatchWaitingAsync(ChannelReader<MergeableRecord> reader)
    {
        await _slots.WaitAsync();
        var batch = new List<MergeableRecord>();
        var events = 0;
        while (batch.Count < _options.MergeMaxRecords && reader.TryPeek(out var record)
               && (batch.Count == 0 || events + record.Rows.Count <= _options.MergeMaxEvents))
        {
            reader.TryRead(out _);
            if (record.CancellationToken.IsCancellationRequested)
            {
                continue;
            }

            batch.Add(record);
            events += record.Rows.Count;
        }

        if (batch.Count == 0)
        {
            _slots.Release();
            return;
        }

        _ = StoreAsync(batch);
    }

    private async Task StoreAsync(List<MergeableRecord> batch)
    {
        try
        {
            await _store.StoreAsync(batch, _consumerId!.Value);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A merged store of {Records} records failed unexpectedly; each is stored on its own", batch.Count);
            foreach (var record in batch)
            {
                record.Complete(MergeOutcome.StoreAlone);
            }
        }
        finally
        {
            _slots.Release();
        }
    }
}
