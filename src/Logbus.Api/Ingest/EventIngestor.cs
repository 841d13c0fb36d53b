using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage;
using Logbus.Storage.Resilience;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Ingest;

/// <summary>
/// Commits accepted events: cut into chunks, one <see cref="LogEventsAccepted"/> message per chunk, each produced
/// straight to Kafka (<see cref="DirectProducer"/>) or, when Kafka did not acknowledge it in time, committed to the
/// transactional outbox; the chunks of a request that go to the outbox commit in one PostgreSQL transaction. Callers
/// are answered only after every chunk is acknowledged or committed, so a Kafka outage never fails ingest. Single
/// events are grouped into shared chunks. The outbox is behind a circuit breaker: with PostgreSQL gone (and Kafka not
/// taking the chunk), requests get 503 with Retry-After at once and nothing is half-written.
/// </summary>
public sealed class EventIngestor : IAsyncDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IngestOptions _options;
    private readonly DependencyCircuitBreaker _postgres;
    private readonly GroupCommitter _singles;
    private readonly DirectProducer _direct;
    private readonly Uri _topic;

    public EventIngestor(IServiceScopeFactory scopes, IOptions<IngestOptions> options, IOptions<TopicOptions> topics,
        [FromKeyedServices(PostgresOutage.Dependency)] DependencyCircuitBreaker postgres, DirectProducer direct)
    {
        _scopes = scopes;
        _direct = direct;
        _options = options.Value;
        _postgres = postgres;
        _topic = TopicAddress.For(topics.Value.LogEvents);
        _singles = new GroupCommitter((events, token) => CommitAsync(events, sizes: null, token), _options.SingleEventWriters,
            maxGroup: _options.ChunkMaxEvents, queueCapacity: 10_000);
    }

    /// <summary>Commits one event together with whatever other single events are waiting.</summary>
    public Task IngestOneAsync(AcceptedLogEvent e, CancellationToken cancellationToken) => _singles.CommitAsync(e, cancellationToken);

    /// <summary>Commits the events of one request in one transaction.</summary>
    /// <param name="sizes">Each event's <see cref="EventChunker.SizeOf"/>, measured by the caller.</param>
    public Task IngestAsync(IReadOnlyList<AcceptedLogEvent> events, IReadOnlyList<int> sizes, CancellationToken cancellationToken) =>
        events.Count == 0 ? Task.CompletedTask : CommitAsync(events, sizes, cancellationToken);

    public ValueTask DisposeAsync() => _singles.DisposeAsync();

    /// <summary>
    /// Runs <paramref name="send"/> in one outbox transaction behind the PostgreSQL breaker: whatever it sends through
    /// the provider commits together, or not at all.
    /// </summary>
    public Task CommitAsync(Func<ISendEndpointProvider, CancellationToken, Task> send, CancellationToken cancellationToken) =>
        _postgres.ExecuteAsync(async token =>
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();
            await send(scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>(), token);

            // The outbox rows are in this context; saving commits them in one transaction.
            await db.SaveChangesAsync(token);
        }, cancellationToken).AsTask();

    private async Task CommitAsync(IReadOnlyList<AcceptedLogEvent> events, IReadOnlyList<int>? sizes, CancellationToken cancellationToken)
    {
        List<LogEventsAccepted> chunks = [.. EventChunker.Chunk(events, _options.ChunkMaxEvents, _options.ChunkMaxBytes, sizes)
            .Select(c => new LogEventsAccepted(NewId.NextSequentialGuid(), null, null, c))];
        var toOutbox = chunks;
        if (_direct.Enabled)
        {
            // A request's chunks do not wait for a hold to lift: the client is answered once they are in the outbox.
            var outcomes = chunks.Count == 1
                ? [await _direct.ProduceAsync(chunks[0], cancellationToken)]
                : await Task.WhenAll(chunks.Select(c => _direct.ProduceAsync(c, cancellationToken)));
            toOutbox = [.. chunks.Where((_, i) => outcomes[i] != DirectProduceOutcome.Produced)];
            IngestMetrics.ChunksSent(IngestMetrics.DirectPath, chunks.Count - toOutbox.Count);
        }

        if (toOutbox.Count == 0)
        {
            return;
        }

        // The chunk's id is its MessageId on both paths: a record a timed-out produce still delivered and the outbox's
        // copy are one message to the Worker's inbox.
        await CommitAsync(async (endpoints, token) =>
        {
            var topic = await endpoints.GetSendEndpoint(_topic);
            foreach (var chunk in toOutbox)
            {
                await topic.Send(chunk, context => context.MessageId = chunk.ChunkId, token);
            }
        }, cancellationToken);
        IngestMetrics.ChunksSent(IngestMetrics.OutboxPath, toOutbox.Count);
    }
}
