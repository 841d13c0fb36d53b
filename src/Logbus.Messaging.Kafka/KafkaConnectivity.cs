namespace Logbus.Messaging.Kafka;

/// <summary>The rider's view of the brokers at one moment.</summary>
/// <param name="IsReady">False once the brokers have been unreachable for longer than the configured timeout, or while the rider is not
/// running.</param>
/// <param name="IsRunning">Whether the rider has been started and not stopped.</param>
/// <param name="UnreachableSince">When the current outage began, or null while the brokers answer.</param>
/// <param name="LastError">The most recent client error that pointed at an outage.</param>
public sealed record KafkaConnectivity(bool IsReady, bool IsRunning, DateTimeOffset? UnreachableSince, string? LastError);
