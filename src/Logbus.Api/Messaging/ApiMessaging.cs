using System.Text.Json;
using Logbus.Contracts;
using Logbus.Messaging.EntityFrameworkCore.BusOutbox;
using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.Kafka;
using Logbus.Messaging.Kafka.Retention;
using Logbus.ServiceDefaults;
using Logbus.Storage;
using MassTransit;
using Logbus.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Messaging;

internal static class ApiMessaging
{
    /// <summary>
    /// The bus outbox on the Logbus database and the Kafka rider it delivers through: ingest writes outbox rows in its
    /// transaction, and the delivery service produces them to <c>log-events</c> (idempotent, acks=all), however long
    /// Kafka is away. MassTransit needs a bus transport; the in-memory one carries nothing of Logbus's.
    /// </summary>
    public static IHostApplicationBuilder AddApiMessaging(this IHostApplicationBuilder builder)
    {
        var bootstrapServers = builder.Configuration.GetKafkaBootstrapServers();
        builder.Services.AddValidatedOptions<TopicOptions>(TopicOptions.Section);
        builder.Services.AddValidatedOptions<KafkaProducingOptions>(KafkaProducingOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<KafkaProducingOptions>, MessageSizeSettingsValidator>();
        builder.Services.AddSingleton<IOutboxSendFailureClassifier, KafkaSendFailureClassifier>();
        builder.AddRetentionGuard();
        builder.Services.AddHealthChecks().AddCheck<ParkedOutboxHealthCheck<LogbusDbContext>>("outbox-parked", HealthStatus.Degraded,
            [HealthChecksBuilderExtensions.ReadyTag], HealthChecksBuilderExtensions.ProbeTimeout);
        builder.Services.AddMassTransit(x =>
        {
            // MassTransit 8.4+ reports the bus's configuration to its authors' server after start unless told not to: a
            // log pipeline sends nothing anywhere its operator did not configure.
            x.DisableUsageTelemetry();
            // Messaging:BusOutbox tunes delivery (e.g. DeliveryServiceEnabled=false for an instance that only writes). The
            // library takes its settings through its configurator, as MassTransit's own outbox does; the section binds there.
            var delivery = builder.Configuration.GetSection("Messaging:BusOutbox");
            x.AddPgOutbox<LogbusDbContext>(o => o.UseBusOutbox(delivery.Bind));
            x.AddRider(rider => rider.UsingKafka((context, kafka) =>
            {
                var producing = context.GetRequiredService<IOptions<KafkaProducingOptions>>().Value;
                kafka.Host(bootstrapServers);
                kafka.ConfigureProducers(p =>
                {
                    p.Compression = producing.Compression;
                    p.Linger = producing.Linger;
                    p.MessageMaxBytes = producing.MessageMaxBytes;
                });
            }));
            // Compact JSON: MassTransit indents by default, which made a chunk of nested metadata twice its size on the
            // wire. EventChunker measures events with these same options.
            x.UsingInMemory((_, bus) => bus.ConfigureJsonSerializerOptions(json => new JsonSerializerOptions(json) { WriteIndented = false }));
        });
        return builder;
    }

    /// <summary>
    /// The backlog waits in PostgreSQL, not in a broker that deletes by size: delivery to a topic holds while the Worker's
    /// group nears the topic's retention, and what a restarted dev broker lost is produced again.
    /// </summary>
    private static void AddRetentionGuard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RetentionGuardOptions>(RetentionGuardOptions.Section);
        var settings = builder.Configuration.GetSection(RetentionGuardOptions.Section).Get<RetentionGuardOptions>() ?? new RetentionGuardOptions();
        if (!settings.Enabled)
        {
            return;
        }

        builder.Services.AddKafkaRetentionGuard(guard =>
        {
            var topics = builder.Configuration.GetSection(TopicOptions.Section).Get<TopicOptions>() ?? new TopicOptions();
            guard.ConsumerGroups[topics.LogEvents] = Groups(settings.LogEventsConsumerGroups);
            guard.ConsumerGroups[topics.Imports] = Groups(settings.ImportsConsumerGroups);
            guard.CheckInterval = settings.CheckInterval;
            guard.HoldAtRatio = settings.HoldAtRatio;
            guard.ResumeAtRatio = settings.ResumeAtRatio;
            guard.StartupHoldLimit = settings.StartupHoldLimit;
            guard.RetentionBytes = settings.RetentionBytes;
            guard.ReplayWindow = settings.ReplayWindow;
            guard.ReplayMaxBytes = settings.ReplayMaxBytes;
        });
        builder.Services.AddSingleton<IOutboxDeliveryHold, RetentionOutboxHold>();
    }

    private static List<string> Groups(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
