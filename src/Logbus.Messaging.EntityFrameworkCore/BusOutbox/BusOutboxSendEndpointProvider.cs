using MassTransit;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// What MassTransit's <c>OutboxSendEndpointProvider</c> wraps in a bus-outbox scope: the bus's endpoints, except for
/// addresses routed beside the bus (<c>topic:…</c>), which get a <see cref="CapturingSendEndpoint"/>: the bus would
/// refuse the unknown scheme, and nothing may reach a transport before the commit anyway.
/// </summary>
internal sealed class BusOutboxSendEndpointProvider(ISendEndpointProvider inner, OutboxDestinations destinations, Uri? sourceAddress)
    : ISendEndpointProvider
{
    public ConnectHandle ConnectSendObserver(ISendObserver observer) => inner.ConnectSendObserver(observer);

    public Task<ISendEndpoint> GetSendEndpoint(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return destinations.IsRoutedBesideTheBus(address)
            ? Task.FromResult<ISendEndpoint>(new CapturingSendEndpoint(address, sourceAddress, destinations.CapturesEnvelopes))
            : inner.GetSendEndpoint(address);
    }
}
