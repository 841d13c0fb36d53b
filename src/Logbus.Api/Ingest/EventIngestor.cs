using Logbus.Contracts;
using Logbus.Messaging.Kafka;
using Logbus.ServiceDefaults.Resilience;
using Logbus.Storage;
using Logbus.Storage.Resilience;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Ingest;

/// <summary>
/// Commits accepted events to the transactional outbox: cut into chunks, one <see cref="LogEventsAccepted"/> message
/// per chunk, all of a request in one PostgreSQL transaction. Callers are answered only after that commit; the outbox
/// delivery service then produces the messages to Kafka, so a Kafka outage never fails ingest. Single events are
/// group-committed. Behind a circuit breaker: with PostgreSQL gone, requests get 503 with Retry-After at once and
/// nothing is half-written.
/// </summary>
public sealed class EventIngestor : IAsyncDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IngestOptions _options;
    private readonly DependencyCircuitBreaker _postgres;
    private readonly GroupCommitter _singles;
    private readonly Uri _topic;

    public EventIngestor(IServiceScopeFactory scopes, IOptions<IngestOptions> options, IOptions<TopicOptions> topics,
        [FromKeyedServices(PostgresOutage.Dependency)] DependencyCircuitBreaker postgres)
    {
        _scopes = scopes;
        _options = options.Value;
        _postgres = postgres;
        _topic = TopicAddress.For(topics.Value.LogEvents);
        _singles = new GroupCommitter(CommitAsync, writers: 2, maxGroup: _options.ChunkMaxEvents, queueCapacity: 10_000);
    }

    /// <summary>Commits one event together with whatever other single events are waiting.</summary>
    public Task IngestOneAsync(AcceptedLogEvent e, CancellationToken cancellationToken) => _singles.CommitAsync(e, cancellationToken);

    /// <summary>Commits the events of one request in one transaction.</summary>
    public Task IngestAsync(IReadOnlyList<AcceptedLogEvent> events, CancellationToken cancellationToken) =>
        events.Count == 0 ? Task.CompletedTask : CommitAsync(events, cancellationToken);

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

    private Task CommitAsync(IReadOnlyList<AcceptedLogEvent> events, CancellationToken cancellationToken) =>
        CommitAsync(async (endpoints, token) =>
        {
            var topic = await endpoints.GetSendEndpoint(_topic);
            foreach (var chunk in EventChunker.Chunk(events, _options.ChunkMaxEvents, _options.ChunkMaxBytes))
            {
                await topic.Send(new LogEventsAccepted(NewId.NextSequentialGuid(), null, null, chunk), token);
            }
        }, cancellationToken);
}
