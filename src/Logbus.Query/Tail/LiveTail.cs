using System.Runtime.CompilerServices;
using Logbus.Query.Database;
using Logbus.Query.Search;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Query.Tail;

/// <summary>
/// Follows new events matching a filter: each poll reads the newest matching events whose timestamp lies within the
/// allowed lateness, and reports the ones not reported before. Only events that arrive after the tail starts count.
/// </summary>
public sealed class LiveTail(QueryDatabase database, IOptions<LiveTailOptions> options, TimeProvider time)
{
    private readonly LiveTailOptions _options = options.Value;

    public LiveTailOptions Options => _options;

    /// <param name="filter">Levels, sources, text, metadata and trace id apply; its time window does not.</param>
    public async IAsyncEnumerable<TailUpdate> FollowAsync(LogSearchFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<(string Id, DateTimeOffset Timestamp)>();
        var first = true;
        var words = new TextWords();
        using var timer = new PeriodicTimer(_options.PollInterval, time);
        do
        {
            var now = time.GetUtcNow();
            var lowerBound = now - _options.Lateness;
            var newest = await ReadNewestAsync(filter with { From = lowerBound, To = DateTimeOffset.MaxValue }, words, cancellationToken);
            var overflowed = newest.Count > _options.MaxEventsPerPoll;
            if (overflowed)
            {
                newest.RemoveAt(newest.Count - 1);
            }

            var fresh = newest.Where(e => seen.Add((e.Id, e.Timestamp))).Reverse().ToList();
            seen.RemoveWhere(s => s.Timestamp < lowerBound);

            if (first)
            {
                // What was there before the tail started is history, not news.
                first = false;
                continue;
            }

            if (fresh.Count > 0)
            {
                // Every event read was new and there were more: some between the last poll and these were not shown.
                yield return new TailUpdate(fresh, Overflowed: overflowed && fresh.Count == newest.Count);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private ValueTask<List<LogEventView>> ReadNewestAsync(LogSearchFilter filter, TextWords words, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, token) =>
        {
            if (!words.Resolved)
            {
                // The text of a tail never changes: tokenize it on the first poll only.
                words.Query = await LogSearchSql.ResolveWordsAsync(connection, filter, token);
                words.Resolved = true;
            }

            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {LogEventReader.Columns} FROM log_events WHERE {LogSearchSql.Where(filter, words.Query, command)}"
                + LogSearchSql.OrderBy(SearchOrder.NewestFirst) + " LIMIT @limit";
            command.Parameters.Add(new NpgsqlParameter<int>("limit", _options.MaxEventsPerPoll + 1));
            return await LogEventReader.ReadAllAsync(command, token);
        }, cancellationToken);

    /// <summary>What the tail's text became as a word query, once known.</summary>
    private sealed class TextWords
    {
        public bool Resolved { get; set; }

        public string? Query { get; set; }
    }
}
