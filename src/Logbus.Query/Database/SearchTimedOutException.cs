namespace Logbus.Query.Database;

/// <summary>PostgreSQL cancelled a read of the Query service for running past <see cref="SearchLimitsOptions.StatementTimeout"/>.</summary>
public sealed class SearchTimedOutException(TimeSpan timeout)
    : Exception($"The read ran longer than {timeout.TotalSeconds:0.#} s ({SearchLimitsOptions.Section}:StatementTimeout).")
{
    public TimeSpan Timeout { get; } = timeout;
}
