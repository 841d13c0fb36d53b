using Microsoft.Extensions.Configuration;

namespace Logbus.ServiceDefaults;

public static class ConfigurationExtensions
{
    /// <summary>
    /// <c>Kafka:BootstrapServers</c> (environment: <c>Kafka__BootstrapServers</c>), with an answer that says what to
    /// do when it is missing.
    /// </summary>
    public static string GetKafkaBootstrapServers(this IConfiguration configuration) =>
        configuration["Kafka:BootstrapServers"] is { Length: > 0 } servers
            ? servers
            : throw new InvalidOperationException(
                "Kafka:BootstrapServers is not set. " +
                    "Set Kafka__BootstrapServers, or start the local stack with ./logbus stack and use the settings it prints.");

    /// <summary><c>ConnectionStrings:Redis</c> (environment: <c>ConnectionStrings__Redis</c>).</summary>
    public static string GetRedisConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString("Redis") is { Length: > 0 } redis
            ? redis
            : throw new InvalidOperationException(
                "ConnectionStrings:Redis is not set. " +
                    "Set ConnectionStrings__Redis, or start the local stack with ./logbus stack and use the settings it prints.");
}
