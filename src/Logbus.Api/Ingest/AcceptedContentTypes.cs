using Microsoft.Net.Http.Headers;

namespace Logbus.Api.Ingest;

/// <summary>
/// The media types an ingest route reads; anything else is a 415 naming them, before the body is read. A web page can
/// make a browser post cross-origin without asking first (no CORS preflight) only as text/plain, form data or with no
/// Content-Type; none of those is accepted, so a page open in a developer's browser cannot write into Logbus. (The
/// routes declare no <c>Accepts</c> metadata: routing would answer a bare 415 before this filter could name the types.)
/// </summary>
internal sealed class AcceptedContentTypes : IEndpointFilter
{
    public const string Json = "application/json";
    public const string Clef = "application/vnd.serilog.clef";

    /// <summary>The JSON routes: application/json and every +json type (application/problem+json, vendor types).</summary>
    public static readonly AcceptedContentTypes JsonBody = new([Json], anyJsonSuffix: true);

    /// <summary>Seq's raw route: CLEF, or the classic <c>{"Events":[…]}</c> JSON (Serilog.Sinks.Seq sends CLEF).</summary>
    public static readonly AcceptedContentTypes SeqRaw = new([Clef, Json], anyJsonSuffix: true);

    /// <summary>Seq's CLEF route: CLEF, which is newline-delimited JSON, under its own name or NDJSON's.</summary>
    public static readonly AcceptedContentTypes ClefLines = new([Clef, "application/x-ndjson", "application/ndjson"], anyJsonSuffix: false);

    /// <summary>
    /// Imports: each format's types, and application/octet-stream for a file whose format <c>?format=</c> names.
    /// </summary>
    public static readonly AcceptedContentTypes ImportFiles = new(
        ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", Json, Clef, "text/csv", "application/csv",
            "application/octet-stream"], anyJsonSuffix: false);

    private readonly string[] _types;
    private readonly bool _anyJsonSuffix;

    private AcceptedContentTypes(string[] types, bool anyJsonSuffix)
    {
        _types = types;
        _anyJsonSuffix = anyJsonSuffix;
    }

    /// <summary>The accepted types as a 415 names them.</summary>
    public string Names => string.Join(", ", _types) + (_anyJsonSuffix ? " or any +json type" : "");

    public bool Accepts(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType.Value is not { } mediaType)
        {
            return false;
        }

        return _types.Contains(mediaType, StringComparer.OrdinalIgnoreCase)
            || (_anyJsonSuffix && parsed.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
    }

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var contentType = context.HttpContext.Request.ContentType;
        if (Accepts(contentType))
        {
            return next(context);
        }

        var given = string.IsNullOrWhiteSpace(contentType) ? "No Content-Type was given" : $"Content-Type '{contentType}' is not accepted here";
        return ValueTask.FromResult<object?>(TypedResults.Problem(
            $"{given}. This route reads {Names}: send one of them (curl: -H 'Content-Type: {_types[0]}'). Nothing was stored.",
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported Content-Type",
            extensions: new Dictionary<string, object?> { ["accepted"] = _types, ["acceptsAnyJsonSuffix"] = _anyJsonSuffix }));
    }
}
