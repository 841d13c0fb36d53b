using Logbus.Contracts;
using Logbus.Storage;
using Logbus.Storage.Writing;

namespace Logbus.Worker.Storing;

/// <summary>
/// The Api's check of what PostgreSQL can store (<see cref="StorableValues"/>), asked again of every event the Worker
/// consumes: a producer that bypassed the Api (or an Api of an older version) must not make the insert of a whole chunk
/// fail for one event.
/// </summary>
public static class StorableEvent
{
    // jsonb itself has no nesting limit; the JSON reader that parsed the record already bounded it.
    private const int AnyDepth = 10_000;

    /// <summary>The field that cannot be stored and why, or null when the event can be stored.</summary>
    public static (string Field, string Reason)? ProblemWith(AcceptedLogEvent e)
    {
        foreach (var (field, text) in new[]
                 {
                     ("id", e.Id), ("level", e.Level), ("message", e.Message), ("source", e.Source), ("traceId", e.TraceId),
                     ("spanId", e.SpanId), ("exception", e.Exception),
                 })
        {
            if (text is not null && StorableValues.ProblemWithText(text) is { } problem)
            {
                return (field, problem);
            }
        }

        return e.Metadata is { } metadata && StorableValues.ProblemWithJson(metadata.Utf8.Span, AnyDepth, out _) is { } metadataProblem
            ? ("metadata", metadataProblem)
            : null;
    }

    /// <summary>The row of <c>log_events</c> an accepted event is stored as.</summary>
    public static LogEvent ToRow(AcceptedLogEvent e, Guid? importId) => new()
    {
        Id = e.Id,
        Timestamp = e.Timestamp,
        Level = e.Level,
        Message = e.Message,
        Source = e.Source,
        Metadata = e.Metadata?.Utf8,
        TraceId = e.TraceId,
        SpanId = e.SpanId,
        Exception = e.Exception,
        ImportId = importId,
        ReceivedAt = e.ReceivedAt,
    };
}
