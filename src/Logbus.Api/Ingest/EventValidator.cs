using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Logbus.Contracts;
using Logbus.Storage;
using Logbus.Storage.Partitions;
using Logbus.Storage.Writing;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Ingest;

/// <summary>
/// Checks an incoming event against the event model and limits, and normalizes it: level names to the six levels,
/// timestamps to UTC (no offset means UTC; none means now) and within the <see cref="TimestampPolicy"/>, a UUIDv7 when
/// the client gave no id.
/// </summary>
/// <param name="partitions">The retention the timestamp policy keeps to; the default one when not given.</param>
public sealed class EventValidator(IOptions<IngestOptions> options, IOptions<LogEventPartitionOptions>? partitions = null)
{
    private readonly IngestOptions _limits = options.Value;
    private readonly TimestampPolicy _timestamps = new(options.Value, partitions?.Value ?? new LogEventPartitionOptions());

    /// <param name="defaultSource">The source when the event names none (an API key's or a Seq default); null makes source required.</param>
    /// <param name="errors">Receives every problem found; the event is valid when nothing was added.</param>
    public AcceptedLogEvent? Validate(IncomingEvent e, string? defaultSource, DateTimeOffset receivedAt, List<FieldError> errors)
    {
        var before = errors.Count;
        var timestamp = ReadTimestamp(e.Timestamp, receivedAt, errors);
        var id = ReadId(e.Id, timestamp, errors);
        var level = ReadLevel(e.Level, errors);
        var message = ReadText(e.Message, "message", _limits.MaxMessageBytes, "Ingest:MaxMessageBytes", required: true, errors);
        var source = ReadSource(e.Source, defaultSource, errors);
        var metadata = ReadMetadata(e.Metadata, errors);
        var traceId = ReadHex(e.TraceId, "traceId", 32, errors);
        var spanId = ReadHex(e.SpanId, "spanId", 16, errors);
        var exception = ReadText(e.Exception, "exception", _limits.MaxExceptionBytes, "Ingest:MaxExceptionBytes", required: false, errors);
        return errors.Count > before
            ? null
            : new AcceptedLogEvent(id!, timestamp, level!, message!, source!, metadata, traceId, spanId, exception, receivedAt);
    }

    private string? ReadId(JsonElement? value, DateTimeOffset timestamp, List<FieldError> errors)
    {
        if (IsAbsent(value))
        {
            return EventIds.NewVersion7(timestamp).ToString();
        }

        if (value!.Value.ValueKind != JsonValueKind.String
            || StorableValues.StringOf(value.Value) is not { Length: > 0 } id || string.IsNullOrWhiteSpace(id))
        {
            errors.Add(new FieldError("id", "must be a non-empty string (or absent, for a generated UUIDv7)"));
            return null;
        }

        if (id.Length > _limits.MaxIdLength)
        {
            errors.Add(new FieldError("id", $"must be at most {_limits.MaxIdLength} characters (it has {id.Length}; setting Ingest:MaxIdLength)"));
            return null;
        }

        return Storable(id, "id", errors);
    }

    private DateTimeOffset ReadTimestamp(JsonElement? value, DateTimeOffset receivedAt, List<FieldError> errors)
    {
        if (IsAbsent(value))
        {
            return receivedAt;
        }

        if (value!.Value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(StorableValues.StringOf(value.Value), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var timestamp))
        {
            if (_timestamps.ProblemWith(timestamp, receivedAt) is { } problem)
            {
                errors.Add(new FieldError("timestamp", problem));
                return receivedAt;
            }

            return timestamp;
        }

        errors.Add(new FieldError("timestamp", "must be an ISO-8601 date and time, e.g. 2026-11-24T09:30:00.123Z (no offset means UTC)"));
        return receivedAt;
    }

    private static string? ReadLevel(JsonElement? value, List<FieldError> errors)
    {
        if (IsAbsent(value))
        {
            return LogLevels.Info;
        }

        if (value!.Value.ValueKind == JsonValueKind.String && LogLevels.TryNormalize(StorableValues.StringOf(value.Value), out var level))
        {
            return level;
        }

        errors.Add(new FieldError("level",
            $"must be one of {string.Join(", ", LogLevels.All)} or a usual alias (Information, Warning, Verbose, Critical…)"));
        return null;
    }

    private string? ReadSource(JsonElement? value, string? defaultSource, List<FieldError> errors)
    {
        if (IsAbsent(value) && defaultSource is not null)
        {
            return defaultSource;
        }

        var source = ReadText(value, "source", int.MaxValue, setting: null, required: true, errors);
        if (source is not null && source.Length > _limits.MaxSourceLength)
        {
            errors.Add(new FieldError("source",
                $"must be at most {_limits.MaxSourceLength} characters (it has {source.Length}; setting Ingest:MaxSourceLength)"));
            return null;
        }

        return source;
    }

    private static string? ReadText(JsonElement? value, string field, int maxBytes, string? setting, bool required, List<FieldError> errors)
    {
        if (IsAbsent(value))
        {
            if (required)
            {
                errors.Add(new FieldError(field, "is required"));
            }

            return null;
        }

        if (value!.Value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError(field, $"must be a string, not {Describe(value.Value.ValueKind)}"));
            return null;
        }

        if (StorableValues.StringOf(value.Value) is not { } text)
        {
            errors.Add(new FieldError(field, "must be valid Unicode text (it is not valid UTF-8 or holds a lone surrogate escape)"));
            return null;
        }

        if (required && string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new FieldError(field, "must not be empty"));
            return null;
        }

        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > maxBytes)
        {
            errors.Add(new FieldError(field, $"must be at most {maxBytes / 1024} KB as UTF-8 (it has {bytes:N0} bytes; setting {setting})"));
            return null;
        }

        return Storable(text, field, errors);
    }

    private JsonText? ReadMetadata(JsonElement? value, List<FieldError> errors)
    {
        if (IsAbsent(value))
        {
            return null;
        }

        if (value!.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("metadata", $"must be a JSON object, not {Describe(value.Value.ValueKind)}"));
            return null;
        }

        // Its length first: measured on the bytes as sent, it needs no reading, and bounds what the walk below reads.
        var raw = JsonMarshal.GetRawUtf8Value(value.Value);
        if (raw.Length > _limits.MaxMetadataBytes)
        {
            errors.Add(new FieldError("metadata",
                $"must be at most {_limits.MaxMetadataBytes / 1024} KB as JSON (it has {raw.Length:N0} bytes; setting Ingest:MaxMetadataBytes)"));
            return null;
        }

        if (StorableValues.ProblemWithJson(raw, _limits.MaxMetadataDepth, out var stored) is { } problem)
        {
            errors.Add(new FieldError("metadata", problem));
            return null;
        }

        // PostgreSQL keeps a number as numeric and gives it back written out in full: 1e131071 in a request of a few bytes
        // came back as 131,072 characters in every answer that returned the event.
        if (stored > _limits.MaxMetadataBytes)
        {
            errors.Add(new FieldError("metadata",
                $"must be at most {_limits.MaxMetadataBytes / 1024} KB as stored, where a number counts written out in full as PostgreSQL " +
                $"returns it (1e400 is a 1 and 400 zeros): it would be {stored:N0} bytes (setting Ingest:MaxMetadataBytes)"));
            return null;
        }

        // The event outlives the request's JSON document (it waits for a group commit), so it keeps its own copy of the text.
        return new JsonText(raw.ToArray());
    }

    private static string? ReadHex(JsonElement? value, string field, int length, List<FieldError> errors)
    {
        if (IsAbsent(value))
        {
            return null;
        }

        if (value!.Value.ValueKind == JsonValueKind.String && StorableValues.StringOf(value.Value) is { } text
            && text.Length == length && text.All(char.IsAsciiHexDigit))
        {
            return text.ToLowerInvariant();
        }

        errors.Add(new FieldError(field, $"must be {length} hexadecimal characters (W3C trace context)"));
        return null;
    }

    private static string? Storable(string text, string field, List<FieldError> errors)
    {
        if (StorableValues.ProblemWithText(text) is not { } problem)
        {
            return text;
        }

        // Said here rather than found out in the Worker, where it would fail the chunk it shares with other events.
        errors.Add(new FieldError(field, problem));
        return null;
    }

    private static bool IsAbsent(JsonElement? value) => value is null || value.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.String => "a string",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
