using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Logbus.Messaging.Kafka.Retention;

public static class KafkaRetentionGuardRegistrationExtensions
{
    /// <summary>
    /// Runs a <see cref="KafkaRetentionGuard"/> beside the Kafka rider of this container (register the rider with
    /// <c>UsingKafka</c>): ask it <see cref="KafkaRetentionGuard.IsHeld"/> before producing more to a topic.
    /// </summary>
    public static IServiceCollection AddKafkaRetentionGuard(this IServiceCollection services, Action<KafkaRetentionGuardOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton(sp =>
        {
            var options = new KafkaRetentionGuardOptions();
            configure(options);
            return new KafkaRetentionGuard(sp.GetRequiredService<KafkaRiderAccessor>(), options,
                sp.GetRequiredService<ILogger<KafkaRetentionGuard>>());
        });
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<KafkaRetentionGuard>());
        return services;
    }
}
