using Logbus.Contracts;

namespace Logbus.Api.Ingest;

/// <summary>What a request's body held: valid events (with their position in the request) and the invalid ones.</summary>
public sealed record ParsedEvents(
    IReadOnlyList<(int Index, AcceptedLogEvent Event)> Valid,
    IReadOnlyList<(int Index, FieldError Error)> Errors,
    int Total)
{
    public IReadOnlyList<AcceptedLogEvent> Events => [.. Valid.Select(v => v.Event)];

    /// <summary>Events with at least one error: every event is either valid or rejected.</summary>
    public int RejectedCount => Total - Valid.Count;
}
