using Logbus.Query.Search;

namespace Logbus.Query.Seed;

/// <summary>An event in the seed tutorial's shape (its <c>LogEventEntity</c>).</summary>
public sealed record SeedLogEvent(
    string Id,
    string Level,
    string Message,
    string Source,
    DateTimeOffset Timestamp,
    RawJson? Metadata,
    DateTimeOffset CreatedAt)
{
    public static SeedLogEvent From(LogEventView e) => new(e.Id, e.Level, e.Message, e.Source, e.Timestamp, e.Metadata, e.StoredAt);
}
