using System.Text.Json;
using Logbus.Api.Security;
using Logbus.Api.Seq;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Ingest;

/// <summary>Reads a request into validated events: one object, an array, CLEF lines or Seq's classic JSON.</summary>
public sealed class IngestRequestReader(EventValidator validator, ApiKeys keys, IOptions<IngestOptions> options, TimeProvider time)
{
    private static readonly JsonDocumentOptions Json = new() { MaxDepth = 64 };
    private readonly IngestOptions _options = options.Value;

    public enum Shape
    {
        SingleObject,
        Array,
        Clef,
        SeqClassic,
    }

    /// <summary>The events of the request, or the answer for a body that cannot be read (413, 415, 400).</summary>
    public async Task<(ParsedEvents? Events, IResult? Problem)> ReadAsync(HttpContext context, Shape shape, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, cancellationToken);
        if (!body.Succeeded)
        {
            IngestMetrics.Rejected(context, body.Status == StatusCodes.Status413PayloadTooLarge ? "too_large" : "not_json");
            return (null, body.ToProblem());
        }

        IngestMetrics.Received(context, body.Body.Length);
        if (shape is Shape.Clef or Shape.SeqClassic && body.Body.Span.Trim("\r\n\t "u8).IsEmpty)
        {
            // Seq clients probe with empty posts; Seq answers them as an accepted, empty batch.
            return (new ParsedEvents([], [], 0), null);
        }

        var identity = keys.Identify(context, out _);
        var receivedAt = time.GetUtcNow();
        try
        {
            return shape switch
            {
                Shape.Clef => (ReadClef(body.Body, identity, receivedAt), null),
                _ => ReadJson(body.Body, shape, identity, receivedAt),
            };
        }
        catch (JsonException e)
        {
            IngestMetrics.Rejected(context, "not_json");
            return (null, IngestProblems.NotJson(e));
        }
    }

    private (ParsedEvents?, IResult?) ReadJson(ReadOnlyMemory<byte> body, Shape shape, ApiKeyIdentity? identity, DateTimeOffset receivedAt)
    {
        using var document = JsonDocument.Parse(body, Json);
        var root = document.RootElement;
        switch (shape)
        {
            case Shape.SingleObject when root.ValueKind != JsonValueKind.Object:
                return (null, IngestProblems.WrongShape("Send one event as a JSON object; send an array to the batch route."));
            case Shape.SingleObject:
                return (Validate([(IncomingEvent.FromJson(root), identity?.Source)], receivedAt), null);
            case Shape.Array when root.ValueKind != JsonValueKind.Array:
                return (null, IngestProblems.WrongShape("Send a JSON array of events to the batch route."));
            case Shape.Array:
                var items = root.EnumerateArray().ToList();
                if (items.FirstOrDefault(i => i.ValueKind != JsonValueKind.Object) is { ValueKind: not JsonValueKind.Undefined } bad)
                {
                    return (null, IngestProblems.WrongShape($"Every element of the array must be an event object; element {items.IndexOf(bad)} is not."));
                }

                return (Validate([.. items.Select(i => (IncomingEvent.FromJson(i), identity?.Source))], receivedAt), null);
            case Shape.SeqClassic when root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Events", out var events) || events.ValueKind != JsonValueKind.Array:
                return (null, IngestProblems.WrongShape("Send Seq's JSON format, {\"Events\":[…]}, or CLEF lines with ?clef or Content-Type: application/vnd.serilog.clef."));
            default:
                var reader = new ClefEventReader(_options);
                var classic = root.GetProperty("Events").EnumerateArray()
                    .Select(e => e.ValueKind == JsonValueKind.Object ? reader.ReadClassic(e) : throw new JsonException("an element of Events is not an object"))
                    .Select(e => (e.Event, (string?)ClefSource(e.Source, identity)))
                    .ToList();
                return (Validate(classic, receivedAt), null);
        }
    }

    private ParsedEvents ReadClef(ReadOnlyMemory<byte> body, ApiKeyIdentity? identity, DateTimeOffset receivedAt)
    {
        var reader = new ClefEventReader(_options);
        var events = new List<(IncomingEvent, string?)>();
        // The events point into their lines' documents: keep those until the events are validated.
        var documents = new List<JsonDocument>();
        try
        {
            var span = body.Span;
            var line = 0;
            while (!span.IsEmpty)
            {
                var end = span.IndexOf((byte)'\n');
                var text = end < 0 ? span : span[..end];
                span = end < 0 ? [] : span[(end + 1)..];
                line++;
                if (text.Trim((byte)'\r').Trim((byte)' ').IsEmpty)
                {
                    continue;
                }

                try
                {
                    var document = JsonDocument.Parse(text.ToArray(), Json);
                    documents.Add(document);
                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        throw new JsonException("it is not a JSON object");
                    }

                    var (incoming, source) = reader.ReadClef(document.RootElement);
                    events.Add((incoming, ClefSource(source, identity)));
                }
                catch (JsonException e)
                {
                    throw new JsonException($"CLEF line {line}: {e.Message}", e);
                }
            }

            return Validate(events, receivedAt);
        }
        finally
        {
            documents.ForEach(d => d.Dispose());
        }
    }

    /// <summary>
    /// Validates every event; one without a source of its own gets <c>DefaultSource</c> (for the JSON routes the API
    /// key's, which may be none, making source required; for CLEF a source property, the key's, or the Seq default).
    /// </summary>
    private ParsedEvents Validate(IReadOnlyList<(IncomingEvent Event, string? DefaultSource)> events, DateTimeOffset receivedAt)
    {
        var valid = new List<(int, Contracts.AcceptedLogEvent)>();
        var errors = new List<(int, FieldError)>();
        for (var i = 0; i < events.Count; i++)
        {
            var found = new List<FieldError>();
            if (validator.Validate(events[i].Event, events[i].DefaultSource, receivedAt, found) is { } accepted)
            {
                valid.Add((i, accepted));
            }

            errors.AddRange(found.Select(f => (i, f)));
        }

        return new ParsedEvents(valid, errors, events.Count);
    }

    private string ClefSource(string? named, ApiKeyIdentity? identity) => named ?? identity?.Source ?? _options.DefaultClefSource;
}
