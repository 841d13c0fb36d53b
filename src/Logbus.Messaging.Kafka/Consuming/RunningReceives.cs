using System.Collections.Concurrent;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>
/// The receive contexts inside the receive pipe right now, so a stop or a revoke that stops waiting for them can
/// cancel them. Lane workers add and remove; the poll thread (revoke) and the stopping thread cancel. Thread-safe.
/// </summary>
internal sealed class RunningReceives
{
    private readonly ConcurrentDictionary<KafkaReceiveContext, byte> _running = new();

    public int Count => _running.Count;

    public void Add(KafkaReceiveContext context) => _running.TryAdd(context, 0);

    public void Remove(KafkaReceiveContext context) => _running.TryRemove(context, out _);

    /// <summary>Cancels the running receives whose record matches <paramref name="which"/>.</summary>
    public void Cancel(Func<KafkaRecord, bool> which)
    {
        foreach (var context in _running.Keys)
        {
            if (context.TryGetPayload<KafkaRecord>(out var record) && which(record))
            {
                context.Cancel();
            }
        }
    }
}
