namespace Logbus.Specs.Hostile;

public enum HostileService
{
    Api,
    Worker,
    Query,
}

/// <summary>
/// One row of the hostile-input table: what is sent where, and the answer it must get.
/// </summary>
/// <param name="Name">What the request is, as the spec's name shows it.</param>
/// <param name="Method">
/// GET, POST or DELETE; <c>RAW GET</c> sends the target byte for byte (no client-side path cleaning), and its answer may
/// come from the server before any route (Kestrel's bare 400), so it need not be a ProblemDetails.
/// </param>
/// <param name="Target">Path and query, as sent.</param>
/// <param name="Body">The body, made when sent (bombs are generated, never kept in the table).</param>
/// <param name="Status">The status the answer must have.</param>
/// <param name="Mentions">Text the answer must contain: the field or the limit (setting) a problem names, or a count of an accepted import.</param>
/// <param name="Stores">Events an accepted request stores; a refused one (4xx) may change no row of any table.</param>
public sealed record HostileRequest(
    string Name, HostileService Service, string Method, string Target, Func<HttpContent>? Body, int Status, string? Mentions, int Stores = 0)
{
    /// <summary>An <c>Idempotency-Key</c> header to send, if any.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The media type of a refusal: ProblemDetails, except where a protocol has its own (OTLP's google.rpc.Status).</summary>
    public string ProblemMediaType { get; init; } = "application/problem+json";

    public bool Writes => Method is "POST" or "DELETE";

    public override string ToString() => $"{Service} {Method} {Target}: {Name} → {Status}";
}
