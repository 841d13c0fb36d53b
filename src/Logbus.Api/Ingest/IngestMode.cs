namespace Logbus.Api.Ingest;

/// <summary>How a route treats its events.</summary>
public enum IngestMode
{
    /// <summary>One event, committed together with other requests' single events (group commit).</summary>
    SingleEvent,

    /// <summary>Every event valid, or nothing is stored.</summary>
    AllOrNothing,

    /// <summary>The valid events are stored and the others reported.</summary>
    StoreValid,
}
