using System.Collections.Concurrent;

namespace Logbus.Specs.Outbox.Support;

/// <summary>
/// What the specs' consumers saw, shared by every host of a spec (several "processes" report into one probe): how often
/// a consumer's code ran, and every message that reached a downstream consumer.
/// </summary>
public sealed class SpecProbe
{
    private readonly ConcurrentDictionary<Guid, int> _runs = new();
    private readonly ConcurrentQueue<Received> _received = new();

    public int ReceivedCount => _received.Count;

    public IReadOnlyList<Received> ReceivedMessages => [.. _received];

    public void ConsumerRan(Guid itemId) => _runs.AddOrUpdate(itemId, 1, (_, n) => n + 1);

    public int RunsOf(Guid itemId) => _runs.TryGetValue(itemId, out var n) ? n : 0;

    public void Receive(object message, Guid? messageId, IReadOnlyDictionary<string, object?>? headers = null) =>
        _received.Enqueue(new Received(message, messageId, headers ?? new Dictionary<string, object?>()));

    public IReadOnlyList<T> Messages<T>() => [.. _received.Select(r => r.Message).OfType<T>()];

    public sealed record Received(object Message, Guid? MessageId, IReadOnlyDictionary<string, object?> Headers);
}
