namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>Back-off of <see cref="KafkaFaultHandling.Redeliver"/>: initial delay, growth factor, ceiling.</summary>
public sealed class KafkaRedeliveryOptions
{
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public double Factor { get; set; } = 2;

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    internal TimeSpan DelayBefore(int redelivery)
    {
        var delay = InitialDelay.TotalMilliseconds * Math.Pow(Factor, Math.Max(0, redelivery - 1));
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaxDelay.TotalMilliseconds));
    }
}
