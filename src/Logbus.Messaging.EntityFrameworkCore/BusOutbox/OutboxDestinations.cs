using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Where an outbox message goes. A URI scheme with a keyed <see cref="ISendEndpointProvider"/> (the Kafka rider
/// registers one under <c>"topic"</c> for <c>topic:&lt;name&gt;</c> addresses) is sent through that provider;
/// everything else through the bus.
/// </summary>
public sealed class OutboxDestinations(IServiceProvider services, IBus bus, BusOutboxOptions options)
{
    private readonly IServiceProviderIsKeyedService? _keyed = services.GetService<IServiceProviderIsKeyedService>();

    /// <summary>
    /// True when the bus itself does not know <paramref name="address"/>: the outbox then captures the message without
    /// asking the bus for an endpoint, and delivery resolves it through the keyed provider.
    /// </summary>
    public bool IsRoutedBesideTheBus(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return options.CapturedSchemes.Contains(address.Scheme) || HasKeyedProvider(address.Scheme);
    }

    /// <summary>
    /// Whether messages routed beside the bus are stored in MassTransit's envelope (see
    /// <see cref="BusOutboxOptions.CaptureEnvelopes"/>).
    /// </summary>
    public bool CapturesEnvelopes => options.CaptureEnvelopes;

    /// <summary>The provider the delivery service sends <paramref name="address"/> through.</summary>
    public ISendEndpointProvider ProviderFor(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return HasKeyedProvider(address.Scheme) ? services.GetRequiredKeyedService<ISendEndpointProvider>(address.Scheme) : bus;
    }

    private bool HasKeyedProvider(string scheme) => _keyed?.IsKeyedService(typeof(ISendEndpointProvider), scheme) == true;
}
