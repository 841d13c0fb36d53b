namespace Logbus.Api.Ingest;

/// <summary>
/// What became of one ingest request. Every route maps these three cases to its own answer; the metrics, the API key and
/// the commit are the pipeline's.
/// </summary>
public abstract record IngestOutcome
{
    private IngestOutcome()
    {
    }

    /// <summary>The body could not be read or is not the route's wire format: <see cref="Problem"/> says why (400/413/415).</summary>
    public sealed record Unreadable(IResult Problem) : IngestOutcome;

    /// <summary>Events failed validation and the route's mode stores nothing then.</summary>
    public sealed record Invalid(ParsedEvents Events) : IngestOutcome;

    /// <summary>The valid events are committed (the invalid ones too few to refuse the request, in a mode that allows that).</summary>
    public sealed record Stored(ParsedEvents Events) : IngestOutcome;
}
