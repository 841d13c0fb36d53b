namespace Logbus.Bench.Load;

/// <summary>One request of a load scenario, with the events it carries and, when sampled, an id to poll for.</summary>
internal sealed record LoadRequest(HttpRequestMessage Message, int Events, string? SampleId = null)
{
    /// <summary>A second recorder for this kind of request within a mix, beside the scenario's own.</summary>
    public LoadRecorder? Kind { get; init; }
}
