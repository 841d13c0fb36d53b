using MassTransit.Configuration;
using Microsoft.EntityFrameworkCore;

namespace MassTransit;

/// <summary>Switches the PostgreSQL inbox and consumer outbox on for a receive endpoint.</summary>
public static class PgOutboxEndpointExtensions
{
    /// <summary>
    /// Every consumer and saga on this endpoint runs behind the inbox of <typeparamref name="TDbContext"/>: its database
    /// writes and everything it publishes or sends commit in one transaction, a copy of a message already processed is
    /// skipped, and a failed delivery is retried without running the consumer again. Configure
    /// <c>UseMessageRetry</c> before this, so a retry covers the whole transaction.
    /// </summary>
    public static void UsePgOutbox<TDbContext>(this IReceiveEndpointConfigurator configurator, IRegistrationContext context,
        Action<IOutboxOptionsConfigurator>? configure = null)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(context);
        var observer = new OutboxConsumePipeSpecificationObserver<TDbContext>(configurator, context)
        {
            // MassTransit's default of 1 costs a transaction per message a consumer sends; one pass delivers them all.
            MessageDeliveryLimit = 100,
            MessageDeliveryTimeout = TimeSpan.FromSeconds(30),
        };
        configure?.Invoke(observer);
        configurator.ConnectConsumerConfigurationObserver(observer);
        configurator.ConnectSagaConfigurationObserver(observer);
    }
}
