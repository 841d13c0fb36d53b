using Confluent.Kafka;
using Logbus.Messaging.Kafka.Configuration;
using MassTransit;

namespace Logbus.Messaging.Kafka.Health;

/// <summary>
/// Whether the brokers are reachable, from what the rider's clients report, confirmed by a metadata probe while an
/// outage is suspected. Readiness turns false once an outage lasts longer than the configured timeout and true again
/// as soon as a client or a probe reaches a broker; nothing is restarted either way, librdkafka reconnects by itself.
/// </summary>
internal sealed class KafkaConnectivityMonitor : IDisposable
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private readonly KafkaHostSettings _host;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _running;
    private Task? _probeLoop;
    private long _unreachableSinceTicks;
    private int _suspect;
    private int _probing;
    private bool _reportedNotReady;
    private string? _lastError;

    public KafkaConnectivityMonitor(KafkaHostSettings host, TimeSpan unreachableTimeout, TimeProvider? time = null)
    {
        _host = host;
        UnreachableTimeout = unreachableTimeout;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Raised when readiness flips; the argument is the new readiness and, when not ready, why.</summary>
    public event Func<bool, Exception?, Task>? ReadinessChanged;

    public TimeSpan UnreachableTimeout { get; }

    public bool IsRunning => _running is not null;

    /// <summary>True while a probe's metadata request is in flight.</summary>
    internal bool IsProbing => Volatile.Read(ref _probing) == 1;

    public KafkaConnectivity Snapshot
    {
        get
        {
            var ticks = Interlocked.Read(ref _unreachableSinceTicks);
            DateTimeOffset? since = ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
            var outageTooLong = since is { } s && _time.GetUtcNow() - s >= UnreachableTimeout;
            return new KafkaConnectivity(IsRunning && !outageTooLong, IsRunning, since, _lastError);
        }
    }

    public void Start()
    {
        lock (_gate)
        {
            if (_running is not null || _probeLoop is not null)
            {
                return;
            }

            _running = new CancellationTokenSource();
            var token = _running.Token;
            _probeLoop = Task.Run(() => ProbeLoopAsync(token));
        }
    }

    /// <summary>Stops probing and waits for the probe loop to end, a probe in flight included (at most its timeout).</summary>
    public async Task StopAsync()
    {
        CancellationTokenSource? running;
        Task? loop;
        lock (_gate)
        {
            running = _running;
            loop = _probeLoop;
            _running = null;
            _probeLoop = null;
        }

        // Outside the gate: a cancelled delay can resume the loop on this thread, which then disposes its probe client.
        running?.Cancel();
        if (loop is not null)
        {
            await loop;
        }

        running?.Dispose();
    }

    /// <summary>A client error: outage signs make the monitor suspicious (and start the clock on all-brokers-down).</summary>
    public void Report(Error error, string client)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.IsFatal)
        {
            LogContext.Error?.Log("Kafka {Client} fatal error {Code}: {Reason}", client, error.Code, error.Reason);
        }

        switch (error.Code)
        {
            case ErrorCode.Local_AllBrokersDown:
                MarkUnreachable($"{client}: {error.Reason}");
                break;
            case ErrorCode.Local_Transport or ErrorCode.Local_Resolve or ErrorCode.Local_TimedOut or ErrorCode.Local_Authentication
                or ErrorCode.Local_Ssl:
                _lastError = $"{client}: {error.Reason}";
                Volatile.Write(ref _suspect, 1);
                break;
            default:
                LogContext.Warning?.Log("Kafka {Client} error {Code}: {Reason}", client, error.Code, error.Reason);
                break;
        }
    }

    /// <summary>A client talked to a broker successfully. Cheap enough for the hot path.</summary>
    public void ReportReachable()
    {
        if (Interlocked.Read(ref _unreachableSinceTicks) == 0 && Volatile.Read(ref _suspect) == 0)
        {
            return;
        }

        Volatile.Write(ref _suspect, 0);
        if (Interlocked.Exchange(ref _unreachableSinceTicks, 0) != 0)
        {
            LogContext.Info?.Log("Kafka brokers reachable again");
        }
    }

    /// <summary>
    /// Stops probing without waiting. The container may dispose the monitor before, during or after the rider's
    /// <see cref="StopAsync"/>: only the probe loop ever disposes its probe client, once its last request returned, so a
    /// disposal can neither free the client under a request nor free it twice (either aborted the process inside
    /// librdkafka). A <see cref="StopAsync"/> after this still waits for the loop.
    /// </summary>
    public void Dispose()
    {
        CancellationTokenSource? running;
        lock (_gate)
        {
            running = _running;
            _running = null;
        }

        running?.Cancel();
    }

    private void MarkUnreachable(string reason)
    {
        _lastError = reason;
        Volatile.Write(ref _suspect, 1);
        if (Interlocked.CompareExchange(ref _unreachableSinceTicks, _time.GetUtcNow().UtcTicks, 0) == 0)
        {
            LogContext.Warning?.Log("Kafka brokers unreachable: {Reason}", reason);
        }
    }

    /// <summary>Probes while an outage is suspected. The loop owns its probe client: nothing else may dispose it.</summary>
    private async Task ProbeLoopAsync(CancellationToken cancellationToken)
    {
        IAdminClient? probe = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(ProbeInterval, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (Volatile.Read(ref _suspect) == 1 || Interlocked.Read(ref _unreachableSinceTicks) != 0)
                {
                    var client = probe;
                    probe = await Task.Run(() => Probe(client), CancellationToken.None);
                }

                await PublishReadinessAsync();
            }
        }
        finally
        {
            probe?.Dispose();
        }
    }

    /// <summary>One metadata request; returns the probe client for the next one (created on the first).</summary>
    private IAdminClient Probe(IAdminClient? probe)
    {
        probe ??= new AdminClientBuilder(new AdminClientConfig(_host.CreateClientConfig().ToDictionary(p => p.Key, p => p.Value))
            {
                ClientId = "logbus-rider-probe",
                SocketTimeoutMs = 3000,
            })
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();
        Volatile.Write(ref _probing, 1);
        try
        {
            var metadata = probe.GetMetadata(TimeSpan.FromSeconds(2));
            if (metadata.Brokers.Count > 0)
            {
                ReportReachable();
            }
            else
            {
                MarkUnreachable("the brokers reported no brokers");
            }
        }
        catch (KafkaException exception)
        {
            MarkUnreachable(exception.Error.Reason);
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }

        return probe;
    }

    private async Task PublishReadinessAsync()
    {
        var snapshot = Snapshot;
        var notReady = !snapshot.IsReady && snapshot.IsRunning;
        if (notReady == _reportedNotReady)
        {
            return;
        }

        _reportedNotReady = notReady;
        if (ReadinessChanged is not { } handlers)
        {
            return;
        }

        var reason = notReady
            ? new KafkaConnectionException($"The Kafka brokers have been unreachable since {snapshot.UnreachableSince:O}: {snapshot.LastError}")
            : null;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<bool, Exception?, Task>>())
        {
            await handler(!notReady, reason);
        }
    }
}
