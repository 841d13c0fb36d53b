using Logbus.Contracts;
using Logbus.Messaging.EntityFrameworkCore.BusOutbox;
using Logbus.Messaging.Kafka;
using Logbus.Messaging.Kafka.Producing;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Ingest;

/// <summary>
/// Produces a chunk straight to the <c>log-events</c> topic through the Kafka rider (idempotent, <c>acks=all</c>; the
/// rider's delivery tracking sees it, so the retention guard can replay it) and says whether the broker acknowledged it
/// in time. When it says no, the caller commits the chunk to the outbox under the same MessageId.
/// </summary>
/// <remarks>
/// A chunk is not tried while direct produce is off, while a delivery hold (the retention guard) holds the topic, or
/// while the breaker is open: one failure or timeout opens it for <see cref="IngestOptions.DirectProduceBreakDuration"/>,
/// then one chunk at a time tries Kafka until one is acknowledged. A timeout is ambiguous: the record may still reach the
/// broker after the outbox delivered its copy. Both carry the chunk's id as MessageId, which is what the Worker's inbox
/// keys on, so the second is consumed as a duplicate and nothing is stored twice.
/// </remarks>
public sealed class DirectProducer
{
    private readonly ISendEndpointProvider _topics;
    private readonly IOutboxDeliveryHold[] _holds;
    private readonly TimeProvider _time;
    private readonly Uri _topic;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _breakDuration;
    private readonly ILogger<DirectProducer> _logger;
    private long _openUntilTicks;
    private int _trialRunning;

    public DirectProducer([FromKeyedServices(TopicAddress.Scheme)] ISendEndpointProvider topics, IEnumerable<IOutboxDeliveryHold> holds,
        IOptions<IngestOptions> options, IOptions<TopicOptions> topicOptions, TimeProvider time, ILogger<DirectProducer> logger)
    {
        _topics = topics;
        _holds = [.. holds];
        _time = time;
        _logger = logger;
        _topic = TopicAddress.For(topicOptions.Value.LogEvents);
        Enabled = options.Value.DirectProduce;
        _timeout = options.Value.DirectProduceTimeout;
        _breakDuration = options.Value.DirectProduceBreakDuration;
    }

    public bool Enabled { get; }

    /// <summary>
    /// <see cref="DirectProduceOutcome.Produced"/> once the broker acknowledged <paramref name="chunk"/>; otherwise it was
    /// not tried or not acknowledged within the timeout, and belongs in the outbox unless the caller waits out a
    /// <see cref="DirectProduceOutcome.Held"/>. Throws only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<DirectProduceOutcome> ProduceAsync(LogEventsAccepted chunk, CancellationToken cancellationToken)
    {
        if (!Enabled || !TryEnter(out var trial))
        {
            return DirectProduceOutcome.NotTaken;
        }

        // Asked only for a chunk that will be sent: the guard counts each "not held" as a record on its way.
        if (IsHeld())
        {
            if (trial)
            {
                Volatile.Write(ref _trialRunning, 0);
            }

            return DirectProduceOutcome.Held;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            var endpoint = await _topics.GetSendEndpoint(_topic);
            await endpoint.Send(chunk, Pipe.Execute<SendContext<LogEventsAccepted>>(c => c.MessageId = chunk.ChunkId), timeout.Token);
            if (trial)
            {
                Close();
            }

            return DirectProduceOutcome.Produced;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && KafkaProduceFailures.PermanentReason(e) is not null)
        {
            // The broker refuses this record for good (too large, invalid): Kafka itself is fine, so the breaker stays as
            // it is, and the outbox parks the record with its reason.
            return DirectProduceOutcome.NotTaken;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            Open(e, timedOut: timeout.IsCancellationRequested);
            return DirectProduceOutcome.NotTaken;
        }
        finally
        {
            if (trial)
            {
                Volatile.Write(ref _trialRunning, 0);
            }
        }
    }

    /// <summary>Whether the topic is held now, counting nothing: how a chunk waiting for a hold to lift looks.</summary>
    public bool IsHolding() => _holds.Any(hold => hold.IsHolding(_topic));

    private bool IsHeld() => _holds.Any(hold => hold.IsHeld(_topic));

    /// <summary>Closed: everyone goes. Open: nobody until the break is over, then one trial at a time.</summary>
    private bool TryEnter(out bool trial)
    {
        trial = false;
        var openUntil = Interlocked.Read(ref _openUntilTicks);
        if (openUntil == 0)
        {
            return true;
        }

        if (_time.GetUtcNow().UtcTicks < openUntil)
        {
            return false;
        }

        trial = Interlocked.CompareExchange(ref _trialRunning, 1, 0) == 0;
        return trial;
    }

    private void Open(Exception e, bool timedOut)
    {
        var until = (_time.GetUtcNow() + _breakDuration).UtcTicks;
        if (Interlocked.Exchange(ref _openUntilTicks, until) == 0)
        {
            _logger.LogWarning(e, "Producing to {Topic} {Failure}: chunks go to the outbox, and Kafka is tried again in {Break}",
                TopicAddress.Parse(_topic), timedOut ? $"took longer than {_timeout}" : "failed", _breakDuration);
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _openUntilTicks, 0) != 0)
        {
            _logger.LogInformation("Producing to {Topic} works again: chunks go straight to Kafka", TopicAddress.Parse(_topic));
        }
    }
}
