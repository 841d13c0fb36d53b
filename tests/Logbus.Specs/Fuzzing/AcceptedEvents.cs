extern alias api;

using System.Text.Json;
using api::Logbus.Api.Ingest;
using api::Logbus.Api.Ingest.Decoding;
using Logbus.Contracts;
using Logbus.Storage.Writing;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Fuzzing;

/// <summary>
/// The outcome every ingest route may have for a body, and nothing else: the decoder refuses it (JSON that is not JSON,
/// or text that is not Unicode: both a 400), the validator names fields that are wrong, or it accepts an event that
/// PostgreSQL stores (StorableValues, specced against PostgreSQL) and the outbox serializes.
/// </summary>
internal static class AcceptedEvents
{
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);

    public static readonly IngestOptions Limits = new();

    public static readonly EventValidator Validator = new(Options.Create(Limits));

    private static readonly HashSet<string> Fields = ["id", "timestamp", "level", "message", "source", "metadata", "traceId", "spanId", "exception"];

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <returns>How many events were accepted.</returns>
    public static int Check(IEventDecoder decoder, byte[] body)
    {
        DecodedEvents decoded;
        try
        {
            decoded = decoder.Decode(body, null);
        }
        catch (JsonException)
        {
            return 0;
        }
        catch (InvalidOperationException)
        {
            // The pipeline answers this one with its "not valid Unicode" 400.
            return 0;
        }

        using (decoded)
        {
            var accepted = 0;
            foreach (var (incoming, source) in decoded.Events)
            {
                accepted += Check(incoming, source) ? 1 : 0;
            }

            return accepted;
        }
    }

    /// <returns>Whether the event was accepted.</returns>
    public static bool Check(IncomingEvent incoming, string? defaultSource)
    {
        var errors = new List<FieldError>();
        var accepted = Validator.Validate(incoming, defaultSource, Now, errors);
        if (accepted is null)
        {
            Assert.NotEmpty(errors);
            Assert.All(errors, e => Assert.Contains(e.Field, Fields));
            Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
            return false;
        }

        Assert.Empty(errors);
        AssertStorable(accepted);
        return true;
    }

    private static void AssertStorable(AcceptedLogEvent e)
    {
        foreach (var text in new[] { e.Id, e.Level, e.Message, e.Source, e.TraceId, e.SpanId, e.Exception }.OfType<string>())
        {
            Assert.Null(StorableValues.ProblemWithText(text));
        }

        Assert.NotEmpty(e.Id);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(e.Message), 1, Limits.MaxMessageBytes);
        Assert.InRange(e.Timestamp, Now.AddDays(-30), Now + Limits.MaxTimestampAhead);
        Assert.Equal(TimeSpan.Zero, e.Timestamp.Offset);
        if (e.Metadata is { } metadata)
        {
            Assert.Equal(JsonValueKind.Object, metadata.Value.ValueKind);
            Assert.Null(StorableValues.ProblemWithJson(metadata.Value, Limits.MaxMetadataDepth));
        }

        // The outbox serializes the event with its chunk: what was accepted must survive that, unchanged.
        var copy = JsonSerializer.Deserialize<AcceptedLogEvent>(JsonSerializer.Serialize(e, Web), Web)!;
        Assert.Equal((e.Id, e.Timestamp, e.Message, e.Source, e.Exception), (copy.Id, copy.Timestamp, copy.Message, copy.Source, copy.Exception));
        // The same JSON, though maybe spelled with other escapes.
        Assert.Equal(e.Metadata is null, copy.Metadata is null);
        Assert.True(e.Metadata is null || JsonElement.DeepEquals(e.Metadata.Value, copy.Metadata!.Value));
    }
}
