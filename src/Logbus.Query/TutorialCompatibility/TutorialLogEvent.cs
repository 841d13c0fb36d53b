using Logbus.Query.Search;

namespace Logbus.Query.TutorialCompatibility;

/// <summary>An event in the tutorial's shape (its <c>LogEventEntity</c>).</summary>
public sealed record TutorialLogEvent(
    string Id,
    string Level,
    string Message,
    string Source,
    DateTimeOffset Timestamp,
    RawJson? Metadata,
    DateTimeOffset CreatedAt)
{
    public static TutorialLogEvent From(LogEventView e) => new(e.Id, e.Level, e.Message, e.Source, e.Timestamp, e.Metadata, e.StoredAt);
}
