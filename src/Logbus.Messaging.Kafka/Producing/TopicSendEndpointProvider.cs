using System.Collections.Concurrent;
using Logbus.Messaging.Kafka.Health;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Observables;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// Send endpoints for topic addresses. Registered in DI as the keyed singleton <see cref="ISendEndpointProvider"/> with
/// service key <see cref="TopicAddress.Scheme"/> (<c>"topic"</c>), and used by topic endpoints for sends to topic
/// addresses from a consume context.
/// </summary>
/// <remarks>
/// Contract: <see cref="GetSendEndpoint"/> accepts <c>topic:&lt;name&gt;</c> only. A send through its endpoints produces
/// one record to the named topic; the value is what <see cref="SendContext.Serializer"/> produces (the caller's pipe may
/// replace the default raw JSON serializer, as an outbox's send pipe does when it re-sends a stored body), its content type goes
/// in the <c>Content-Type</c> header, MassTransit headers become Kafka headers, and the key is the
/// <see cref="KafkaHeaders.Key"/> header, else the key selector registered for the message type, else null. Sends are
/// seen by the bus's send observers (the test harness's <c>Sent</c>) and by observers connected here.
/// </remarks>
internal sealed class TopicSendEndpointProvider(
    IHostConfiguration hostConfiguration,
    KafkaProducerPool producers,
    ISerialization serialization,
    ISendPipe sendPipe,
    TopicKeySelectors keySelectors,
    KafkaConnectivityMonitor connectivity) : ISendEndpointProvider
{
    private readonly ConcurrentDictionary<string, TopicSendEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly SendObservable _observers = new();

    public Task<ISendEndpoint> GetSendEndpoint(Uri address) => Task.FromResult<ISendEndpoint>(GetTopicEndpoint(TopicAddress.Parse(address)));

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => _observers.Connect(observer);

    public TopicSendEndpoint GetTopicEndpoint(string topic) => _endpoints.GetOrAdd(topic, Create);

    private TopicSendEndpoint Create(string topic)
    {
        var context = new KafkaSendTransportContext(hostConfiguration, topic, producers, serialization, keySelectors, connectivity);
        context.ConnectSendObserver(hostConfiguration.SendObservers);
        context.ConnectSendObserver(_observers);
        var transport = new SendTransport<KafkaProducerContext>(context);
        return new TopicSendEndpoint(transport, TopicAddress.For(topic), hostConfiguration.HostAddress, serialization, sendPipe);
    }
}
