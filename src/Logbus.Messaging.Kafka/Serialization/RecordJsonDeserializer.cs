using System.Net.Mime;
using System.Runtime.Serialization;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;

namespace Logbus.Messaging.Kafka.Serialization;

/// <summary>
/// Raw JSON records (<c>application/json</c>), read as MassTransit's raw JSON deserializer reads them, except that a
/// message is deserialized straight from the record's bytes when a consumer asks for it. MassTransit's own first parses
/// the whole record into a <see cref="JsonElement"/> (a copy of the bytes and a token table, each a large-object array for
/// a chunk of hundreds of kB) and then deserializes the message from that: most of what a consumer of large records
/// allocated (bench/README.md).
/// </summary>
/// <remarks>
/// Messages are read with MassTransit's serializer options, or with options made from them for this endpoint alone
/// (<see cref="ConfigureJsonOptions"/>): a converter that only the endpoint's messages need stays out of the options every
/// bus of the process shares.
/// The record is still checked to be JSON here, so a record that is not fails where it did before: in deserialization,
/// with a <see cref="SerializationException"/>, before any consumer runs.
/// </remarks>
public sealed class RecordJsonDeserializer(RawSerializerOptions options) : IMessageDeserializer
{
    private readonly SystemTextJsonRawMessageSerializer _raw = new(options);
    private Func<JsonSerializerOptions, JsonSerializerOptions>? _configure;
    private MadeOptions? _json;

    /// <summary>
    /// Messages are read with <paramref name="configure"/>'s options, made from MassTransit's shared options (made again if
    /// those are replaced), instead of the shared options themselves.
    /// </summary>
    public void ConfigureJsonOptions(Func<JsonSerializerOptions, JsonSerializerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure = configure;
        Volatile.Write(ref _json, null);
    }

    public ContentType ContentType => _raw.ContentType;

    public void Probe(ProbeContext context) => _raw.Probe(context);

    public ConsumeContext Deserialize(ReceiveContext receiveContext)
    {
        ArgumentNullException.ThrowIfNull(receiveContext);
        return new BodyConsumeContext(receiveContext, Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));
    }

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body is JsonMessageBody)
        {
            // Already parsed (a message read back from an outbox): nothing to save.
            return _raw.Deserialize(body, headers, destinationAddress);
        }

        var bytes = body.GetBytes();
        if (bytes.Length == 0)
        {
            return _raw.Deserialize(body, headers, destinationAddress);
        }

        var json = JsonOptions();
        try
        {
            // What the message will be deserialized with allows (trailing commas, comments), this check allows too.
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
            {
                MaxDepth = json.MaxDepth,
                AllowTrailingCommas = json.AllowTrailingCommas,
                CommentHandling = json.ReadCommentHandling,
            });
            while (reader.Read())
            {
                // Reading to the end checks the whole record: one JSON value, well-formed, within the depth limit.
            }
        }
        catch (JsonException e)
        {
            throw new SerializationException("The record is not JSON: " + e.Message, e);
        }

        return new RecordJsonSerializerContext(bytes, new RawMessageContext(headers, destinationAddress, options),
            headers.GetMessageTypes(), options, json);
    }

    private JsonSerializerOptions JsonOptions()
    {
        var shared = SystemTextJsonMessageSerializer.Options;
        if (_configure is null)
        {
            return shared;
        }

        // Made once, and again only if the bus configuration replaced the shared options after this endpoint was configured.
        // Lanes read concurrently: the pair is one object, swapped whole.
        var json = Volatile.Read(ref _json);
        if (json is null || !ReferenceEquals(json.Shared, shared))
        {
            json = new MadeOptions(shared, _configure(shared));
            Volatile.Write(ref _json, json);
        }

        return json.Made;
    }

    private sealed record MadeOptions(JsonSerializerOptions Shared, JsonSerializerOptions Made);

    public MessageBody GetMessageBody(string text) => _raw.GetMessageBody(text);
}
