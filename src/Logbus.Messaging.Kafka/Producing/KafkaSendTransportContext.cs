using Confluent.Kafka;
using Logbus.Messaging.Kafka.Health;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Transports;

namespace Logbus.Messaging.Kafka.Producing;

/// <summary>
/// Produces MassTransit sends to one topic. MassTransit's <see cref="SendTransport{TContext}"/> drives it, which brings
/// send observers (the test harness's <c>Sent</c>), the send activity (OpenTelemetry) and MassTransit's send metrics.
/// </summary>
/// <remarks>
/// The record value is whatever <see cref="SendContext.Serializer"/> produces for the send context. That is the point
/// where an outbox re-sending a stored message takes over: its send pipe (MassTransit's <c>OutboxMessageSendPipe</c>, or
/// the EF Core outbox's own for raw JSON) sets the serializer to one that writes the stored body, with its content type.
/// The content type travels in the <c>Content-Type</c> header. The key is the <see cref="KafkaHeaders.Key"/> header when
/// set, else the key selector registered for the message type, else null.
/// </remarks>
internal sealed class KafkaSendTransportContext : BaseSendTransportContext, SendTransportContext<KafkaProducerContext>
{
    private readonly IHostConfiguration _hostConfiguration;
    private readonly KafkaProducerPool _producers;
    private readonly TopicKeySelectors _keySelectors;
    private readonly KafkaConnectivityMonitor _connectivity;
    private readonly IMessageSerializer _defaultSerializer;

    public KafkaSendTransportContext(IHostConfiguration hostConfiguration, string topic, KafkaProducerPool producers, ISerialization serialization,
        TopicKeySelectors keySelectors, KafkaConnectivityMonitor connectivity)
        : base(hostConfiguration, serialization)
    {
        _hostConfiguration = hostConfiguration;
        _producers = producers;
        _keySelectors = keySelectors;
        _connectivity = connectivity;
        _defaultSerializer = serialization.GetMessageSerializer();
        Topic = topic;
    }

    public string Topic { get; }

    public override string EntityName => Topic;

    public override string ActivitySystem => "kafka";

    public override Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken) =>
        CreateContextAsync(message, pipe, cancellationToken);

    public Task<SendContext<T>> CreateSendContext<T>(KafkaProducerContext context, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class =>
        CreateContextAsync(message, pipe, cancellationToken);

    public async Task Send<T>(KafkaProducerContext transportContext, SendContext<T> sendContext)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(transportContext);
        ArgumentNullException.ThrowIfNull(sendContext);

        sendContext.SourceAddress ??= _hostConfiguration.HostAddress;
        var serializer = sendContext.Serializer ?? _defaultSerializer;
        var body = sendContext is MessageSendContext<T> messageContext ? messageContext.Body : serializer.GetMessageBody(sendContext);
        var contentType = sendContext.ContentType?.ToString() ?? serializer.ContentType?.ToString();

        var key = sendContext.GetKafkaKey() ?? _keySelectors.SelectKey(Topic, sendContext.Message);
        var record = new Message<byte[], byte[]>
        {
            Key = key is null ? null! : System.Text.Encoding.UTF8.GetBytes(key),
            Value = body.GetBytes(),
            Headers = KafkaRecordHeaders.From(sendContext, contentType),
        };
        if (sendContext.SentTime is { } sent)
        {
            record.Timestamp = new Timestamp(DateTime.SpecifyKind(sent, DateTimeKind.Utc));
        }

        sendContext.CancellationToken.ThrowIfCancellationRequested();
        // A cancelled send only stops waiting: librdkafka still delivers the record (until its delivery timeout), so the
        // produce runs to its answer on its own, and the record counts as on its way until then.
        var produce = ProduceAsync(transportContext.Producer, record);
        try
        {
            await produce.WaitAsync(sendContext.CancellationToken);
        }
        catch (OperationCanceledException) when (!produce.IsCompleted)
        {
            _ = produce.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }

        _connectivity.ReportReachable();
    }

    /// <summary>Produces and records the answer; counted as on its way to the broker (for the retention guard) until then.</summary>
    private async Task ProduceAsync(IProducer<byte[], byte[]> producer, Message<byte[], byte[]> record)
    {
        var bytes = ProducedRecords.SizeOf(record);
        _producers.Produced.Sending(Topic, bytes);
        try
        {
            _producers.Produced.Delivered(await producer.ProduceAsync(Topic, record, CancellationToken.None), DateTimeOffset.UtcNow, bytes);
        }
        finally
        {
            _producers.Produced.Sent(Topic, bytes);
        }
    }

    public Task Send(IPipe<KafkaProducerContext> pipe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        return pipe.Send(new KafkaProducerContext(_producers.Producer, cancellationToken));
    }

    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scope = context.CreateScope("kafka-producer");
        scope.Add("topic", Topic);
    }

    private async Task<SendContext<T>> CreateContextAsync<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class
    {
        var context = new MessageSendContext<T>(message, cancellationToken)
        {
            Serialization = Serialization,
            Serializer = _defaultSerializer,
        };
        await pipe.Send(context);
        return context;
    }
}
