using System.Diagnostics;

namespace Logbus.Worker.Storing;

/// <summary>
/// The span of a merged store transaction: a child of the first record's consume, linked to every other record's, so
/// each request's trace reaches the PostgreSQL write that stored it (its own or, through the link, the first one's).
/// </summary>
public static class StoreTracing
{
    /// <summary>The <c>Logbus</c> source, which every service's tracing listens to.</summary>
    private static readonly ActivitySource Source = new("Logbus");

    public static Activity? StartMergedStore(IReadOnlyList<MergeableRecord> records, int events)
    {
        var activity = Source.StartActivity("store merged", ActivityKind.Internal, records[0].Parent,
            links: [.. records.Skip(1).Where(r => r.Parent != default).Select(r => new ActivityLink(r.Parent))]);
        activity?.SetTag("logbus.store.records", records.Count);
        activity?.SetTag("logbus.store.events", events);
        return activity;
    }
}
