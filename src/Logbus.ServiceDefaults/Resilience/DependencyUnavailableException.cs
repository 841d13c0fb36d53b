namespace Logbus.ServiceDefaults.Resilience;

/// <summary>
/// A dependency the request needs (PostgreSQL, Kafka…) is unreachable, or its circuit is open. Answered as 503 with
/// <c>Retry-After</c>, never as a 500: the client did nothing wrong and should come back.
/// </summary>
public sealed class DependencyUnavailableException(string dependency, TimeSpan retryAfter, Exception? innerException = null)
    : Exception($"{dependency} is unavailable; retry after {Math.Ceiling(retryAfter.TotalSeconds)} s.", innerException)
{
    public string Dependency { get; } = dependency;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
