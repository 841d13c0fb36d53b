using System.Diagnostics;

namespace Logbus.Bench.Load;

/// <summary>
/// Sends a scenario's requests, either at a fixed rate (open loop) or from a fixed number of senders as fast as the
/// service answers (closed loop), and reports each answer to the scenario's recorder. Shows progress every 5 s.
/// </summary>
/// <param name="accepted">Told how many events each accepted request carried.</param>
internal sealed class LoadDriver(BenchContext context, HttpClient http, Stopwatch clock, QueryablePoller? poller = null, Action<int>? accepted = null)
{
    /// <summary>More requests than this waiting for answers means the service fell far behind; the schedule waits.</summary>
    private const int MaxInFlight = 4096;

    /// <summary>
    /// Request <c>i</c> is due at <c>i / rate</c> seconds. Latency counts from when a request was due, not from when it
    /// went out, so a service (or a generator) that falls behind shows in the percentiles instead of slowing the offer.
    /// </summary>
    public async Task OpenLoopAsync(LoadRecorder recorder, double rate, TimeSpan duration, Func<long, LoadRequest> next,
        CancellationToken cancellationToken)
    {
        var start = clock.Elapsed.TotalSeconds;
        var total = (long)Math.Round(rate * duration.TotalSeconds);
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var sends = new List<Task>();
        using var progress = ShowProgress(recorder, duration);
        for (long i = 0; i < total && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = start + (i / rate);
            var wait = due - clock.Elapsed.TotalSeconds;
            if (wait > 0.001)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait), cancellationToken);
            }

            await inFlight.WaitAsync(cancellationToken);
            sends.Add(SendAsync(recorder, due, next(i), inFlight, cancellationToken));
            if (sends.Count > 10_000)
            {
                sends.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(sends);
    }

    /// <summary><paramref name="senders"/> loops, each sending its next request when the previous one was answered.</summary>
    public async Task ClosedLoopAsync(LoadRecorder recorder, int senders, TimeSpan duration, Func<long, LoadRequest> next,
        CancellationToken cancellationToken)
    {
        var end = clock.Elapsed + duration;
        long counter = -1;
        using var progress = ShowProgress(recorder, duration);
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            while (clock.Elapsed < end && !cancellationToken.IsCancellationRequested)
            {
                await SendAsync(recorder, clock.Elapsed.TotalSeconds, next(Interlocked.Increment(ref counter)), null, cancellationToken);
            }
        }));
    }

    private async Task SendAsync(LoadRecorder recorder, double startedAt, LoadRequest request, SemaphoreSlim? inFlight,
        CancellationToken cancellationToken)
    {
        // Off the scheduling loop at once: building and sending must not delay the next due request.
        await Task.Yield();
        try
        {
            using var response = await http.SendAsync(request.Message, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var success = response.IsSuccessStatusCode;
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            recorder.Record(startedAt, status, success ? request.Events : 0);
            request.Kind?.Record(startedAt, status, success ? request.Events : 0);
            if (success)
            {
                accepted?.Invoke(request.Events);
                if (request.SampleId is { } id)
                {
                    poller?.Track(id, startedAt);
                }
            }
        }
        catch (HttpRequestException e)
        {
            recorder.Record(startedAt, $"no answer ({e.HttpRequestError})", 0);
            request.Kind?.Record(startedAt, $"no answer ({e.HttpRequestError})", 0);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            recorder.Record(startedAt, "timeout", 0);
            request.Kind?.Record(startedAt, "timeout", 0);
        }
        finally
        {
            request.Message.Dispose();
            inFlight?.Release();
        }
    }

    private Timer ShowProgress(LoadRecorder recorder, TimeSpan duration)
    {
        var started = clock.Elapsed;
        long lastRequests = 0;
        long lastEvents = 0;
        return new Timer(_ =>
        {
            var (requests, events) = (recorder.Requests, recorder.AcceptedEvents);
            context.Progress($"{recorder.Scenario}: {(clock.Elapsed - started).TotalSeconds:0}/{duration.TotalSeconds:0} s, "
                + $"{(requests - lastRequests) / 5.0:N0} req/s, {(events - lastEvents) / 5.0:N0} events/s, "
                + $"p99 {recorder.LatestP99():0.0} ms, errors: {recorder.Errors()}"
                + (poller is null ? "" : $", {poller.Pending} ids awaiting queryability"));
            (lastRequests, lastEvents) = (requests, events);
        }, null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }
}
