namespace Logbus.Query.Database;

/// <summary>PostgreSQL cancelled a read of the Query service for running past <see cref="SearchLimitsOptions.StatementTimeout"/>.</summary>
public sealed class SearchTimedOutException(TimeSpan timeout) : ReadLimitException(
    "The search took too long",
    $"PostgreSQL stopped the search after {timeout.TotalSeconds:0.#} s ({SearchLimitsOptions.Section}:"
        + $"{nameof(SearchLimitsOptions.StatementTimeout)}). Narrow it: a shorter time window (from/to, hoursBack), a level or "
        + "source, fewer or longer words in q; or try again when the service is less busy.",
    timeout);
