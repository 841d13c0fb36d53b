using System.Text.Json;
using System.Text.Json.Serialization;
using Logbus.Messaging.Kafka;
using Logbus.Specs.Infrastructure;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Logbus.Specs.Kafka;

/// <summary>
/// <c>ConfigureRecordJsonOptions</c> gives one topic endpoint options of its own to read records with: a converter only
/// its messages need, without touching the serializer options every bus of the process shares.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class RecordJsonOptionsSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task An_endpoints_own_converter_reads_its_records_and_no_other_endpoints_nor_the_shared_options()
    {
        var broker = SharedServers.Kafka;
        var marked = SpecNames.Unique("marked");
        var plain = SpecNames.Unique("plain");
        broker.CreateTopic(marked, 1);
        broker.CreateTopic(plain, 1);
        var received = new Received<ProducedMessage>();
        await using var host = await RiderHost.StartAsync(output, r =>
        {
            r.AddConsumer<RecordingConsumer<ProducedMessage>>();
            r.UsingKafka((context, k) =>
            {
                k.Host(broker.BootstrapServers);
                k.TopicEndpoint<ProducedMessage>(marked, SpecNames.Unique("group"), e =>
                {
                    e.ConfigureRecordJsonOptions(shared => new JsonSerializerOptions(shared) { Converters = { new MarkingConverter() } });
                    e.ConfigureConsumer<RecordingConsumer<ProducedMessage>>(context);
                });
                k.TopicEndpoint<ProducedMessage>(plain, SpecNames.Unique("group"), e =>
                    e.ConfigureConsumer<RecordingConsumer<ProducedMessage>>(context));
            });
        }, configureServices: s => s.AddSingleton(received));

        RawRecords.Produce(broker.BootstrapServers, marked, [(0, (string?)null, new ProducedMessage("m-1", "tenant"))]);
        RawRecords.Produce(broker.BootstrapServers, plain, [(0, (string?)null, new ProducedMessage("p-1", "tenant"))]);

        await Eventually.TrueAsync(() => received.Count == 2, TimeSpan.FromSeconds(30), "both records were consumed");
        Assert.Equal(new ProducedMessage("read:m-1", "read:tenant"), received.Items.Single(i => i.Record.Topic == marked).Message);
        Assert.Equal(new ProducedMessage("p-1", "tenant"), received.Items.Single(i => i.Record.Topic == plain).Message);
        Assert.DoesNotContain(SystemTextJsonMessageSerializer.Options.Converters, c => c is MarkingConverter);
    }

    /// <summary>Marks every string it reads, so a message says which options read it.</summary>
    private sealed class MarkingConverter : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => "read:" + reader.GetString();

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
