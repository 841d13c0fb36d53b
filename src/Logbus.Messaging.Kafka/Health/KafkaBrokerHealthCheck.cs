using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.Messaging.Kafka.Health;

/// <summary>
/// A Kafka broker answers a metadata request. One admin client lives for the whole process: creating one per probe
/// would start and stop librdkafka's threads on every call.
/// </summary>
internal sealed class KafkaBrokerHealthCheck(KafkaBrokerHealthCheck.AdminClientHolder holder) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var timeout = context.Registration.Timeout > TimeSpan.Zero && context.Registration.Timeout != Timeout.InfiniteTimeSpan
            ? context.Registration.Timeout * 0.8
            : TimeSpan.FromSeconds(3);
        try
        {
            // GetMetadata blocks a thread for up to the timeout; keep it off the request's thread.
            var metadata = await Task.Run(() => holder.Client.GetMetadata(timeout), cancellationToken);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s)")
                : new HealthCheckResult(context.Registration.FailureStatus, "Kafka reported no brokers.");
        }
        catch (KafkaException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"Kafka is unreachable at {holder.BootstrapServers}: {e.Error.Reason}", e);
        }
    }

    /// <summary>The process-wide admin client used for probing.</summary>
    public sealed class AdminClientHolder(string bootstrapServers) : IDisposable
    {
        private readonly Lazy<IAdminClient> _client = new(() => new AdminClientBuilder(new AdminClientConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = "logbus-health",
            SocketTimeoutMs = 3000,
            // Do not spam the log with reconnect attempts while a broker is down; the check reports it.
            LogConnectionClose = false,
        }).SetLogHandler((_, _) => { }).Build());

        public string BootstrapServers { get; } = bootstrapServers;

        public IAdminClient Client => _client.Value;

        public void Dispose()
        {
            if (_client.IsValueCreated)
            {
                _client.Value.Dispose();
            }
        }
    }
}
