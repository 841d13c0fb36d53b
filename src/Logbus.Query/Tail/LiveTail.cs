using System.Runtime.CompilerServices;
using Logbus.Query.Database;
using Logbus.Query.Search;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Query.Tail;

/// <summary>
/// Follows new events matching a filter in the order they were stored (<c>stored_at</c>, set by PostgreSQL), not by
/// their own timestamp: events dated far in the future cannot hide what arrives after them. Each poll reads what was
/// stored since the previous one, less <see cref="LiveTailOptions.CommitLag"/>: <c>stored_at</c> is the storing
/// transaction's start, so a transaction that commits after a later-started one has an older stamp, and re-reading that
/// much (skipping what was already shown) still finds it. Only events stored after the tail starts count.
/// </summary>
public sealed class LiveTail(QueryDatabase database, IOptions<LiveTailOptions> options, TimeProvider time)
{
    private readonly LiveTailOptions _options = options.Value;

    public LiveTailOptions Options => _options;

    /// <param name="filter">Levels, sources, text, metadata and trace id apply; its time window does not.</param>
    public async IAsyncEnumerable<TailUpdate> FollowAsync(LogSearchFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // What was shown, with when it was stored, until it falls behind the re-read window.
        var seen = new Dictionary<(string Id, DateTimeOffset Timestamp), DateTimeOffset>();
        DateTimeOffset? since = null;
        var words = new TextWords();
        using var timer = new PeriodicTimer(_options.PollInterval, time);
        do
        {
            var first = since is null;
            if (await TryReadStoredSinceAsync(filter, since, words, cancellationToken) is not { } poll)
            {
                continue;
            }

            var newest = poll.Events;
            var overflowed = newest.Count > _options.MaxEventsPerPoll;
            if (overflowed)
            {
                newest.RemoveAt(newest.Count - 1);
            }

            var fresh = newest.Where(e => seen.TryAdd((e.Id, e.Timestamp), e.StoredAt)).Reverse().ToList();
            since = poll.PolledAt - _options.CommitLag;
            foreach (var stale in seen.Where(s => s.Value < since).Select(s => s.Key).ToList())
            {
                seen.Remove(stale);
            }

            if (first)
            {
                // What was there before the tail started is history, not news.
                yield return new TailUpdate([], Overflowed: false, Started: true);
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

    /// <summary>What a poll read; null when the Query service's read limits refused or cut it off (next tick, then).</summary>
    private async ValueTask<Poll?> TryReadStoredSinceAsync(LogSearchFilter filter, DateTimeOffset? since, TextWords words,
        CancellationToken cancellationToken)
    {
        try
        {
            return await ReadStoredSinceAsync(filter, since, words, cancellationToken);
        }
        catch (ReadLimitException)
        {
            return null;
        }
    }

    private ValueTask<Poll> ReadStoredSinceAsync(LogSearchFilter filter, DateTimeOffset? since, TextWords words,
        CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, token) =>
        {
            if (!words.Resolved)
            {
                // The text of a tail never changes: tokenize it on the first poll only.
                words.Query = await LogSearchSql.ResolveWordsAsync(connection, filter, token);
                words.Resolved = true;
            }

            DateTimeOffset polledAt;
            await using (var clock = connection.CreateCommand())
            {
                // PostgreSQL's clock, the one that stamps stored_at.
                clock.CommandText = "SELECT now()";
                polledAt = new DateTimeOffset((DateTime)(await clock.ExecuteScalarAsync(token))!);
            }

            // The event's own timestamp still bounds the read (events stored long after they happened, an import of
            // old logs, are left to search), which also spares the partitions of earlier days.
            var window = filter with { From = time.GetUtcNow() - _options.Lateness, To = DateTimeOffset.MaxValue };
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {LogEventReader.Columns} FROM log_events WHERE "
                + $"{LogSearchSql.Where(window, words.Query, command)} AND stored_at >= @since ORDER BY stored_at DESC LIMIT @limit";
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", since ?? polledAt - _options.CommitLag));
            command.Parameters.Add(new NpgsqlParameter<int>("limit", _options.MaxEventsPerPoll + 1));
            return new Poll(polledAt, await LogEventReader.ReadAllAsync(command, token));
        }, cancellationToken);

    private sealed record Poll(DateTimeOffset PolledAt, List<LogEventView> Events);

    /// <summary>What the tail's text became as a word query, once known.</summary>
    private sealed class TextWords
    {
        public bool Resolved { get; set; }

        public string? Query { get; set; }
    }
}
