using System.Net.Mime;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;

namespace Logbus.Messaging.Kafka.Serialization;

/// <summary>Raw JSON for topic endpoints: MassTransit's serializer, and <see cref="RecordJsonDeserializer"/> to read records.</summary>
public sealed class RecordJsonSerializerFactory(RawSerializerOptions options) : ISerializerFactory
{
    private readonly SystemTextJsonRawMessageSerializer _serializer = new(options);
    private readonly RecordJsonDeserializer _deserializer = new(options);

    public ContentType ContentType => SystemTextJsonRawMessageSerializer.JsonContentType;

    public IMessageSerializer CreateSerializer() => _serializer;

    public IMessageDeserializer CreateDeserializer() => _deserializer;

    /// <inheritdoc cref="RecordJsonDeserializer.ConfigureJsonOptions"/>
    public void ConfigureJsonOptions(Func<JsonSerializerOptions, JsonSerializerOptions> configure) => _deserializer.ConfigureJsonOptions(configure);
}
