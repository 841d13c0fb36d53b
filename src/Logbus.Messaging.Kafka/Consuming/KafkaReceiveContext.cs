using Confluent.Kafka;
using MassTransit;
using MassTransit.Serialization;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Consuming;

/// <summary>One consumed record on its way through the receive pipe.</summary>
internal sealed class KafkaReceiveContext : BaseReceiveContext
{
    private readonly KafkaHeaderProvider _headers;

    public KafkaReceiveContext(ConsumeResult<byte[], byte[]> record, KafkaReceiveEndpointContext context, bool redelivered, KafkaRecord kafkaRecord,
        KafkaDeliveryAttempts attempts)
        : base(redelivered, context, kafkaRecord, attempts)
    {
        _headers = new KafkaHeaderProvider(record);
        Body = new BytesMessageBody(record.Message.Value);
    }

    public override MessageBody Body { get; }

    protected override IHeaderProvider HeaderProvider => _headers;
}
