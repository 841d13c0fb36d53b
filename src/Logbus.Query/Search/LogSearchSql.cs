using System.Text;
using Logbus.Query.Filtering;
using Logbus.ServiceDefaults.Security;
using Npgsql;
using NpgsqlTypes;

namespace Logbus.Query.Search;

/// <summary>
/// Builds the WHERE clause of a search. Every value is a bound parameter; only fixed SQL text is concatenated.
/// </summary>
internal static class LogSearchSql
{
    /// <summary>
    /// Turns the filter's free text into a prefix query for the message word index (<c>ix_log_events_message_words</c>),
    /// tokenized by PostgreSQL itself exactly as the index tokenizes messages. Null when there is no text, or it has no
    /// words (only punctuation).
    /// </summary>
    public static async Task<string?> ResolveWordsAsync(NpgsqlConnection connection, LogSearchFilter filter, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(filter.Text))
        {
            return null;
        }

        await using var command = new NpgsqlCommand(
            "SELECT string_agg(quote_literal(lexeme) || ':*', ' & ') FROM unnest(to_tsvector('simple'::regconfig, $1))", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = filter.Text });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <param name="wordQuery">What <see cref="ResolveWordsAsync"/> made of <see cref="LogSearchFilter.Text"/>.</param>
    public static string Where(LogSearchFilter filter, string? wordQuery, NpgsqlCommand command)
    {
        var sql = new StringBuilder("\"timestamp\" >= @from AND \"timestamp\" < @to");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", filter.From));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", filter.To));

        if (filter.Levels.Count > 0)
        {
            sql.Append(" AND level = ANY(@levels)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("levels", [.. filter.Levels]));
        }

        if (filter.Sources.Count > 0)
        {
            sql.Append(" AND source = ANY(@sources)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("sources", [.. filter.Sources]));
        }

        if (filter.SourceGlobs.Count > 0)
        {
            sql.Append(" AND source LIKE ANY(@sourceGlobs)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("sourceGlobs", [.. filter.SourceGlobs.Select(SourceGlob.ToLike)]));
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            if (wordQuery is not null)
            {
                // The index finds candidates by words; ILIKE keeps only messages containing the whole phrase.
                sql.Append(" AND to_tsvector('simple'::regconfig, message) @@ to_tsquery('simple'::regconfig, @words)");
                command.Parameters.Add(new NpgsqlParameter<string>("words", wordQuery));
            }

            sql.Append(" AND message ILIKE @phrase");
            command.Parameters.Add(new NpgsqlParameter<string>("phrase", "%" + EscapeLike(filter.Text.Trim()) + "%"));
        }

        for (var i = 0; i < filter.Metadata.Count; i++)
        {
            var documents = filter.Metadata[i].ContainmentDocuments();
            sql.Append(" AND (");
            for (var j = 0; j < documents.Count; j++)
            {
                var name = $"meta{i}_{j}";
                sql.Append(j > 0 ? " OR " : "").Append("metadata @> @").Append(name);
                command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = documents[j] });
            }

            sql.Append(')');
        }

        if (filter.TraceId is { } traceId)
        {
            sql.Append(" AND trace_id = @traceId");
            command.Parameters.Add(new NpgsqlParameter<string>("traceId", traceId));
        }

        if (filter.Expression is { } expression)
        {
            sql.Append(" AND ").Append(FilterSql.Where(expression.Root, command));
        }

        return sql.ToString();
    }

    /// <summary>
    /// Strictly after <paramref name="cursor"/> in the order. Written as a timestamp range plus a tie-break (not a row
    /// comparison) so the timestamp index bounds the scan; ids compare bytewise whatever the database collation.
    /// </summary>
    public static string After(SearchCursor cursor, SearchOrder order, NpgsqlCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("afterTimestamp", cursor.Timestamp));
        command.Parameters.Add(new NpgsqlParameter<string>("afterId", cursor.Id));
        return order == SearchOrder.NewestFirst
            ? " AND \"timestamp\" <= @afterTimestamp AND (\"timestamp\" < @afterTimestamp OR id COLLATE \"C\" < @afterId)"
            : " AND \"timestamp\" >= @afterTimestamp AND (\"timestamp\" > @afterTimestamp OR id COLLATE \"C\" > @afterId)";
    }

    public static string OrderBy(SearchOrder order) => order == SearchOrder.NewestFirst
        ? " ORDER BY \"timestamp\" DESC, id COLLATE \"C\" DESC"
        : " ORDER BY \"timestamp\" ASC, id COLLATE \"C\" ASC";

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);
}
