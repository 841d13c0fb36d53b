using Logbus.Messaging.EntityFrameworkCore.BusOutbox;
using Logbus.Messaging.EntityFrameworkCore.Configuration;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Inbox;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MassTransit;

/// <summary>Registers the PostgreSQL inbox, consumer outbox and bus outbox of a DbContext with MassTransit.</summary>
public static class PgOutboxRegistrationExtensions
{
    /// <summary>
    /// Makes <typeparamref name="TDbContext"/> the store of the inbox and consumer outbox (switched on per endpoint with
    /// <see cref="PgOutboxEndpointExtensions.UsePgOutbox{TDbContext}"/>), with inbox cleanup and backlog metrics; and,
    /// with <see cref="PgOutboxConfigurator.UseBusOutbox"/>, of the bus outbox for scopes outside consumers. Its model
    /// must include <c>modelBuilder.AddPgOutboxEntities()</c>.
    /// </summary>
    public static IBusRegistrationConfigurator AddPgOutbox<TDbContext>(this IBusRegistrationConfigurator configurator,
        Action<PgOutboxConfigurator>? configure = null)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);
        var settings = new PgOutboxConfigurator();
        configure?.Invoke(settings);

        configurator.TryAddSingleton<MessagingMetrics>();
        configurator.TryAddScoped<IOutboxContextFactory<TDbContext>, PgOutboxContextFactory<TDbContext>>();
        if (settings.MessageId is { } messageId)
        {
            configurator.Replace(ServiceDescriptor.Singleton<IInboxMessageIdProvider>(new DelegateInboxMessageIdProvider(messageId)));
        }
        else
        {
            configurator.TryAddSingleton<IInboxMessageIdProvider>(InboxMessageIdProvider.Default);
        }

        configurator.Configure<InboxOptions>(MessagingRegistration.OptionsName<TDbContext>(), o => Copy(settings.Inbox, o));
        // Registered either way, so a host that runs the cleanup elsewhere (a job, one instance) can still call it.
        configurator.AddSingleton<PgInboxCleanupService<TDbContext>>();
        if (settings.Inbox.CleanupEnabled)
        {
            configurator.AddHostedService(sp => sp.GetRequiredService<PgInboxCleanupService<TDbContext>>());
        }

        configurator.TryAddSingleton(settings.BusOutbox);
        configurator.AddSingleton<OutboxBacklogMonitor<TDbContext>>();
        configurator.AddHostedService(sp => sp.GetRequiredService<OutboxBacklogMonitor<TDbContext>>());

        if (settings.BusOutboxEnabled)
        {
            AddBusOutbox<TDbContext>(configurator, settings.BusOutbox);
        }

        return configurator;
    }

    private static void AddBusOutbox<TDbContext>(IBusRegistrationConfigurator configurator, BusOutboxOptions options)
        where TDbContext : DbContext
    {
        configurator.ReplaceScoped<IScopedBusContextProvider<IBus>, PgScopedBusContextProvider<TDbContext>>();
        configurator.TryAddSingleton<OutboxDestinations>();
        configurator.TryAddSingleton<BusOutboxSignals<TDbContext>>();
        configurator.TryAddSingleton<BusOutboxCommitAnnouncer<TDbContext>>();
        // Every DbContext of this type announces its committed outbox rows, however the application registered it.
        configurator.ConfigureDbContext<TDbContext>((sp, db) => db.AddInterceptors(sp.GetRequiredService<BusOutboxCommitAnnouncer<TDbContext>>()));
        configurator.AddHostedService<OutboxNotifier<TDbContext>>();
        // Registered either way, so a host that delivers elsewhere (or a test driving rounds) can still call it.
        configurator.AddSingleton<PgBusOutboxDeliveryService<TDbContext>>();
        if (options.DeliveryServiceEnabled)
        {
            configurator.AddHostedService(sp => sp.GetRequiredService<PgBusOutboxDeliveryService<TDbContext>>());
        }
    }

    private static void Copy(InboxOptions from, InboxOptions to)
    {
        to.DuplicateDetectionWindow = from.DuplicateDetectionWindow;
        to.StrandedAfter = from.StrandedAfter;
        to.StrandedMessages = from.StrandedMessages;
        to.CleanupInterval = from.CleanupInterval;
        to.CleanupBatchSize = from.CleanupBatchSize;
        to.CleanupEnabled = from.CleanupEnabled;
    }
}
