namespace Logbus.Query.Database;

/// <summary>
/// A read of the Query service refused or cut off by one of its limits (<see cref="SearchLimitsOptions"/>): a 503 with
/// <c>Retry-After</c> that says which limit and what to do, and not a sign that PostgreSQL is down.
/// </summary>
public abstract class ReadLimitException(string title, string detail, TimeSpan retryAfter) : Exception(detail)
{
    public string Title { get; } = title;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
