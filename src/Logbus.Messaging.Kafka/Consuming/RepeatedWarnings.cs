using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>Lets the same client error through as a warning once per interval; the repeats go to the debug log.</summary>
internal sealed class RepeatedWarnings(TimeSpan interval)
{
    private readonly Dictionary<ErrorCode, long> _lastWarned = [];

    public bool ShouldWarn(ErrorCode code)
    {
        var now = Environment.TickCount64;
        if (_lastWarned.TryGetValue(code, out var last) && now - last < interval.TotalMilliseconds)
        {
            return false;
        }

        _lastWarned[code] = now;
        return true;
    }
}
