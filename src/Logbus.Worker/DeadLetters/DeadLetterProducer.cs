using Confluent.Kafka;
using Logbus.ServiceDefaults;

namespace Logbus.Worker.DeadLetters;

/// <summary>
/// The Worker's one producer of raw records outside the bus: dead letters of single events, and replays of dead
/// letters to their original topic. Idempotent, so a retried send is written once; created on first use.
/// </summary>
public sealed class DeadLetterProducer(IConfiguration configuration) : IDisposable
{
    private readonly Lazy<IProducer<byte[]?, byte[]>> _producer = new(() => new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
    {
        BootstrapServers = configuration.GetKafkaBootstrapServers(),
        EnableIdempotence = true,
        Acks = Acks.All,
    }).Build());

    public Task ProduceAsync(string topic, Message<byte[]?, byte[]> message, CancellationToken cancellationToken) =>
        _producer.Value.ProduceAsync(topic, message, cancellationToken);

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Flush(TimeSpan.FromSeconds(10));
            _producer.Value.Dispose();
        }
    }
}
