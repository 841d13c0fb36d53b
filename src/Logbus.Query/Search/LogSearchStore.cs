using Logbus.Query.Database;
using Npgsql;

namespace Logbus.Query.Search;

/// <summary>Runs searches against <c>log_events</c>.</summary>
public sealed class LogSearchStore(QueryDatabase database)
{
    /// <summary>A keyset page: events strictly after the cursor, in order, at most <c>Limit</c>.</summary>
    public ValueTask<SearchPage> SearchAsync(LogSearchRequest request, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, token) =>
        {
            await using var command = connection.CreateCommand();
            var words = await LogSearchSql.ResolveWordsAsync(connection, request.Filter, token);
            var sql = $"SELECT {LogEventReader.Columns} FROM log_events WHERE {LogSearchSql.Where(request.Filter, words, command)}";
            if (request.After is { } after)
            {
                sql += LogSearchSql.After(after, request.Order, command);
            }

            // One more than asked, to know whether a next page exists without counting.
            command.CommandText = sql + LogSearchSql.OrderBy(request.Order) + " LIMIT @limit";
            command.Parameters.Add(new NpgsqlParameter<int>("limit", request.Limit + 1));
            var events = await LogEventReader.ReadAllAsync(command, token);
            var hasMore = events.Count > request.Limit;
            if (hasMore)
            {
                events.RemoveAt(events.Count - 1);
            }

            var next = hasMore ? new SearchCursor(events[^1].Timestamp, events[^1].Id).Encode() : null;
            return new SearchPage(events, next, request.Filter.From, request.Filter.To,
                request.Order == SearchOrder.NewestFirst ? "desc" : "asc");
        }, cancellationToken);

    /// <summary>An offset page and the total count, for the tutorial's page-numbered routes.</summary>
    public ValueTask<(IReadOnlyList<LogEventView> Events, long Total)> PageAsync(
        LogSearchFilter filter, int page, int size, CancellationToken cancellationToken) =>
        database.ReadAsync<(IReadOnlyList<LogEventView>, long)>(async (connection, token) =>
        {
            var words = await LogSearchSql.ResolveWordsAsync(connection, filter, token);
            long total;
            await using (var count = connection.CreateCommand())
            {
                count.CommandText = $"SELECT count(*) FROM log_events WHERE {LogSearchSql.Where(filter, words, count)}";
                total = (long)(await count.ExecuteScalarAsync(token))!;
            }

            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT {LogEventReader.Columns} FROM log_events WHERE {LogSearchSql.Where(filter, words, select)}"
                + LogSearchSql.OrderBy(SearchOrder.NewestFirst) + " LIMIT @size OFFSET @offset";
            select.Parameters.Add(new NpgsqlParameter<int>("size", size));
            select.Parameters.Add(new NpgsqlParameter<long>("offset", (long)page * size));
            return (await LogEventReader.ReadAllAsync(select, token), total);
        }, cancellationToken);

    /// <summary>The event with this id (the newest, should a client have reused an id at another time).</summary>
    public ValueTask<LogEventView?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, token) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {LogEventReader.Columns} FROM log_events WHERE id = @id ORDER BY \"timestamp\" DESC LIMIT 1";
            command.Parameters.Add(new NpgsqlParameter<string>("id", id));
            return (await LogEventReader.ReadAllAsync(command, token)).FirstOrDefault();
        }, cancellationToken);
}
