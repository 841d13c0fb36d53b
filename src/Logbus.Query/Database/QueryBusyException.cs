namespace Logbus.Query.Database;

/// <summary>Every one of the <see cref="SearchLimitsOptions.MaxConcurrentReads"/> reads was taken for longer than the queue waits.</summary>
public sealed class QueryBusyException(int maxConcurrentReads, TimeSpan queueTimeout) : ReadLimitException(
    "The Query service is busy",
    $"{maxConcurrentReads} reads are running ({SearchLimitsOptions.Section}:{nameof(SearchLimitsOptions.MaxConcurrentReads)}) "
        + $"and none ended within {queueTimeout.TotalSeconds:0.#} s ({SearchLimitsOptions.Section}:"
        + $"{nameof(SearchLimitsOptions.QueueTimeout)}). Retry shortly, or narrow long searches so they end sooner.",
    TimeSpan.FromSeconds(1));
