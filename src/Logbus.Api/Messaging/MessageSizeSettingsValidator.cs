using Logbus.Api.Ingest;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Messaging;

/// <summary>
/// Refuses to start when a chunk the Api cuts could be larger than the producer sends, or the producer's records larger
/// than the topic takes: either way accepted events would wait in the outbox for good.
/// </summary>
internal sealed class MessageSizeSettingsValidator(IOptions<IngestOptions> ingest) : IValidateOptions<KafkaProducingOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaProducingOptions options)
    {
        var chunk = ingest.Value.ChunkMaxBytes;
        var failures = new List<string>();
        if ((long)chunk + EventChunker.ChunkEnvelopeBytes > options.MessageMaxBytes)
        {
            failures.Add($"Ingest:ChunkMaxBytes ({chunk:N0}) plus {EventChunker.ChunkEnvelopeBytes:N0} bytes for a chunk's envelope exceeds " +
                $"Kafka:MessageMaxBytes ({options.MessageMaxBytes:N0}, the producer's message.max.bytes): lower the first or raise the second.");
        }

        if (options.MessageMaxBytes > options.TopicMaxMessageBytes)
        {
            failures.Add($"Kafka:MessageMaxBytes ({options.MessageMaxBytes:N0}, the producer's message.max.bytes) exceeds " +
                $"Kafka:TopicMaxMessageBytes ({options.TopicMaxMessageBytes:N0}, the topic's max.message.bytes): the brokers would refuse " +
                "what the producer sends. Lower the first, or raise the topic's limit and the second together.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
