using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Worker;

[Trait("Kind", "Integration")]
public sealed class DeadLetterListSpecs
{
    [Fact]
    public async Task The_list_takes_a_bounded_limit_and_a_bad_one_is_a_400_naming_it()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 1);
        var deadLetters = pipeline.Topic + ".dlq";
        pipeline.Broker.CreateTopic(deadLetters, 2);
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers }).Build())
        {
            for (var i = 0; i < 30; i++)
            {
                await producer.ProduceAsync(new TopicPartition(deadLetters, i % 2), new Message<Null, byte[]>
                {
                    Value = new byte[64 * 1024],
                    Headers = new Headers { { "MT-Fault-Message", Encoding.UTF8.GetBytes($"dead letter {i}") } },
                });
            }
        }

        foreach (var limit in new[] { "abc", "0", "-1", "1001", "99999999999" })
        {
            using var response = await pipeline.WorkerClient.GetAsync($"/api/dead-letters?limit={limit}");
            Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"limit={limit}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _), $"limit={limit}: {problem}");
        }

        var newest = await pipeline.WorkerClient.GetFromJsonAsync<JsonElement>("/api/dead-letters?limit=4");
        Assert.Equal(8, newest.GetArrayLength());
        Assert.All(newest.EnumerateArray(), l => Assert.Equal(64 * 1024, l.GetProperty("bytes").GetInt32()));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(30, (await pipeline.WorkerClient.GetFromJsonAsync<JsonElement>("/api/dead-letters?limit=1000")).GetArrayLength());
        }
    }
}
