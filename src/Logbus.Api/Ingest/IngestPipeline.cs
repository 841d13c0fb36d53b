using System.Diagnostics;
using System.Text.Json;
using Logbus.Api.Ingest.Decoding;
using Logbus.ServiceDefaults.Security;
using Logbus.Contracts;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Ingest;

/// <summary>
/// The one path every ingest route takes: read the body within its limit, decode it with the route's wire format,
/// validate every event, commit what the route's <see cref="IngestMode"/> lets through, and count it all. Routes only
/// choose a decoder and a mode, and turn the <see cref="IngestOutcome"/> into their own answer.
/// </summary>
public sealed class IngestPipeline(EventValidator validator, EventIngestor ingestor, ApiKeys keys, IOptions<IngestOptions> options, TimeProvider time)
{
    private readonly IngestOptions _options = options.Value;

    public async Task<IngestOutcome> RunAsync(HttpContext context, IEventDecoder decoder, IngestMode mode, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var body = await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, cancellationToken);
        if (!body.Succeeded)
        {
            IngestMetrics.Rejected(context, body.Status == StatusCodes.Status413PayloadTooLarge ? "too_large" : "not_json");
            return new IngestOutcome.Unreadable(body.ToProblem());
        }

        var key = keys.Identify(context, out _);
        var keySource = key?.Source;
        ParsedEvents events;
        try
        {
            IngestMetrics.Received(context, body.Body.Length);
            using var decoded = decoder.Decode(body.Body, keySource);
            if (decoded.WrongShape is { } whatToSend)
            {
                IngestMetrics.Rejected(context, "invalid");
                return new IngestOutcome.Unreadable(IngestProblems.WrongShape(whatToSend));
            }

            events = Validate(decoded.Events, time.GetUtcNow());
        }
        catch (JsonException e)
        {
            IngestMetrics.Rejected(context, "not_json");
            return new IngestOutcome.Unreadable(IngestProblems.NotJson(e, maxMetadataDepth: _options.MaxMetadataDepth));
        }
        catch (UndecodableBodyException e)
        {
            IngestMetrics.Rejected(context, "undecodable");
            return new IngestOutcome.Unreadable(IngestProblems.Undecodable(e.Message));
        }
        catch (InvalidOperationException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // System.Text.Json reads text lazily: a decoder meets bytes that are not UTF-8 (or a lone surrogate escape)
            // only when it asks for a string.
            IngestMetrics.Rejected(context, "not_json");
            return new IngestOutcome.Unreadable(IngestProblems.NotUnicode());
        }
        finally
        {
            // Decoded events are copies (strings, cloned JSON): nothing after decoding refers into the body.
            body.Release();
        }

        if (events.Errors.Count > 0 && mode != IngestMode.StoreValid)
        {
            IngestMetrics.Rejected(context, "invalid");
            IngestMetrics.RejectedEvents(context, events.Total);
            return new IngestOutcome.Invalid(events);
        }

        // A key restricted to some sources sends only those: the whole request is refused, nothing stored.
        if (key is { IsSourceRestricted: true } && events.Valid.FirstOrDefault(v => !key.Covers(v.Event.Source)) is { Event: not null } outside)
        {
            return new IngestOutcome.Unreadable(KeyRefusals.Forbidden(context, KeyRefusals.Source,
                $"Event {outside.Index} has the source '{outside.Event.Source}'; the key '{key.Name}' may send only sources matching " +
                    $"{string.Join(", ", key.Sources)}. Nothing was stored."));
        }

        // An event that alone fills more than a chunk could never be produced: refuse it now rather than accept it. The
        // sizes measured here are the ones the chunks are cut by.
        var sizes = new int[events.Valid.Count];
        for (var i = 0; i < sizes.Length; i++)
        {
            sizes[i] = EventChunker.SizeOf(events.Valid[i].Event);
            if (sizes[i] > _options.ChunkMaxBytes)
            {
                IngestMetrics.Rejected(context, "too_large");
                return new IngestOutcome.Unreadable(IngestProblems.EventTooLarge(events.Valid[i].Index, sizes[i], _options.ChunkMaxBytes));
            }
        }

        if (mode == IngestMode.SingleEvent)
        {
            await ingestor.IngestOneAsync(events.Valid[0].Event, cancellationToken);
        }
        else
        {
            await ingestor.IngestAsync(events.Events, sizes, cancellationToken);
        }

        IngestMetrics.Accepted(context, events.Valid.Count, Stopwatch.GetElapsedTime(started));
        if (events.RejectedCount > 0)
        {
            IngestMetrics.RejectedEvents(context, events.RejectedCount);
        }

        return new IngestOutcome.Stored(events);
    }

    /// <summary>Validates every event; one that names no source gets its decoder's default (none makes source required).</summary>
    private ParsedEvents Validate(IReadOnlyList<(IncomingEvent Event, string? DefaultSource)> events, DateTimeOffset receivedAt)
    {
        var valid = new List<(int, AcceptedLogEvent)>(events.Count);
        var errors = new List<(int, FieldError)>();
        var found = new List<FieldError>();
        for (var i = 0; i < events.Count; i++)
        {
            if (validator.Validate(events[i].Event, events[i].DefaultSource, receivedAt, found) is { } accepted)
            {
                valid.Add((i, accepted));
            }

            errors.AddRange(found.Select(f => (i, f)));
            found.Clear();
        }

        return new ParsedEvents(valid, errors, events.Count);
    }
}
