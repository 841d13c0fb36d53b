using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Logbus.Contracts;
using Logbus.ServiceDefaults.Monitoring;
using Logbus.ServiceDefaults.Resilience;

namespace Logbus.Api.Ingest;

/// <summary>
/// Group commit for single-event requests: each request queues its event and waits; a few writer loops take what is
/// queued (up to one chunk's worth) and commit it in one transaction. Under light load a request commits alone at
/// once; under heavy load groups form while the previous commit is in flight, so a thousand requests a second cost
/// tens of transactions, not a thousand. A request is answered only after its group committed.
/// </summary>
public sealed class GroupCommitter : IAsyncDisposable
{
    private static readonly Histogram<double> GroupSizes = LogbusMeters.Logbus.CreateHistogram("ingest_group_commit_size", "{request}",
        "Single-event requests committed per transaction.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.Doubling(1, 11) });

    private readonly Channel<Pending> _queue;
    private readonly Func<IReadOnlyList<AcceptedLogEvent>, CancellationToken, Task> _commit;
    private readonly int _maxGroup;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _writers;

    /// <param name="commit">Writes one group in one transaction; throws when that did not happen.</param>
    public GroupCommitter(Func<IReadOnlyList<AcceptedLogEvent>, CancellationToken, Task> commit, int writers, int maxGroup, int queueCapacity)
    {
        _commit = commit;
        _maxGroup = maxGroup;
        // Bounded: when the database cannot keep up, requests wait here (and time out) instead of piling up memory.
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(queueCapacity) { SingleReader = false, SingleWriter = false });
        _writers = [.. Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync))];
    }

    /// <summary>Completes once the event is committed; throws what the commit threw.</summary>
    public async Task CommitAsync(AcceptedLogEvent e, CancellationToken cancellationToken)
    {
        var pending = new Pending(e);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        await pending.Done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // Let queued requests commit before the process goes; they were promised an answer.
        await Task.WhenAll(_writers).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<Pending>(_maxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (group.Count < _maxGroup && _queue.Reader.TryRead(out var pending))
            {
                group.Add(pending);
            }

            if (group.Count == 0)
            {
                continue;
            }

            // The group's record continues the trace of its first request (a record has one parent).
            Activity.Current = group[0].Activity;
            try
            {
                await _commit([.. group.Select(p => p.Event)], _stopping.Token);
                GroupSizes.Record(group.Count);
                group.ForEach(p => p.Done.TrySetResult());
            }
            catch (Exception e) when (group.Count > 1 && !IsOutage(e))
            {
                // One request's data may have failed the transaction (nothing of it was written): each request commits
                // alone, so only the one at fault gets the error.
                foreach (var pending in group)
                {
                    await CommitAloneAsync(pending);
                }
            }
            catch (Exception e)
            {
                group.ForEach(p => p.Done.TrySetException(Answer(e)));
            }

            Activity.Current = null;
            group.Clear();
        }
    }

    private async Task CommitAloneAsync(Pending pending)
    {
        Activity.Current = pending.Activity;
        try
        {
            await _commit([pending.Event], _stopping.Token);
            GroupSizes.Record(1);
            pending.Done.TrySetResult();
        }
        catch (Exception e)
        {
            pending.Done.TrySetException(Answer(e));
        }
    }

    /// <summary>An outage (503 with Retry-After) or shutdown fails every request alike: committing them one by one cannot help.</summary>
    private static bool IsOutage(Exception e) => e is DependencyUnavailableException or OperationCanceledException;

    /// <summary>What the request is answered: a failure its own data caused is a 400 naming it, anything else as it was thrown.</summary>
    private static Exception Answer(Exception e) =>
        CommitRefusal.ReasonFor(e) is { } reason
            ? new BadHttpRequestException($"The event could not be stored: {reason}.", StatusCodes.Status400BadRequest, e)
            : e;

    private sealed record Pending(AcceptedLogEvent Event)
    {
        public Activity? Activity { get; } = Activity.Current;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
