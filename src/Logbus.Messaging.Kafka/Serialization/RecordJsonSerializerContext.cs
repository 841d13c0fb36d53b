using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using MassTransit.Serialization;

namespace Logbus.Messaging.Kafka.Serialization;

/// <summary>
/// The serializer context of <see cref="RecordJsonDeserializer"/>: messages come from the record's bytes; the whole
/// record as a <see cref="JsonElement"/> is parsed only if something asks for it (forwarding the message as it is).
/// </summary>
internal sealed class RecordJsonSerializerContext : SystemTextJsonRawSerializerContext
{
    // MassTransit's context holds the parsed record; this one parses it only on demand, so it hands the base an empty object.
    private static readonly JsonElement Unparsed = JsonDocument.Parse("{}").RootElement;

    private readonly byte[] _record;
    private readonly RawSerializerOptions _options;
    private JsonElement? _parsed;

    public RecordJsonSerializerContext(byte[] record, MessageContext messageContext, string[] messageTypes, RawSerializerOptions options,
        JsonSerializerOptions json)
        : base(SystemTextJsonMessageSerializer.Instance, json, SystemTextJsonRawMessageSerializer.JsonContentType, messageContext, messageTypes,
            options, Unparsed)
    {
        _record = record;
        _options = options;
    }

    private JsonElement Parsed => _parsed ??= JsonSerializer.Deserialize<JsonElement>(_record, Options);

    public override bool TryGetMessage<T>(out T? message)
        where T : class
    {
        if (typeof(T) == typeof(JsonObject))
        {
            message = JsonObject.Create(Parsed) as T;
            return message is not null;
        }

        if (!IsSupportedMessageType<T>())
        {
            message = null;
            return false;
        }

        using (RecordBeingRead.Begin(_record))
        {
            message = JsonSerializer.Deserialize<T>(_record, Options);
        }

        return message is not null;
    }

    public override bool TryGetMessage(Type messageType, [NotNullWhen(true)] out object? message)
    {
        using (RecordBeingRead.Begin(_record))
        {
            message = JsonSerializer.Deserialize(_record, messageType, Options);
        }

        return message is not null;
    }

    public override IMessageSerializer GetMessageSerializer() => new SystemTextJsonBodyMessageSerializer(Parsed, ContentType, Options, _options);
}
