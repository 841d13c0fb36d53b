using Confluent.Kafka;
using Logbus.Messaging.Kafka.Testing;

namespace Logbus.DevBroker;

/// <summary>
/// A small HTTP surface to inspect the dev broker and inject faults by hand, e.g. to watch Logbus ride out a Kafka
/// outage: <c>curl -X POST localhost:PORT/brokers/all/down</c>.
/// </summary>
internal static class BrokerControlEndpoints
{
    /// <param name="bootstrapServers">Where clients connect: the forwarded port when there is one.</param>
    public static void MapBrokerControl(this WebApplication app, string bootstrapServers)
    {
        app.MapGet("/", (KafkaDevBroker broker) => Results.Ok(new
        {
            bootstrapServers,
            brokers = broker.BrokerCount,
            topics = TopicsInUse(bootstrapServers),
        }));

        var brokers = app.MapGroup("/brokers");
        brokers.MapPost("/all/down", (KafkaDevBroker broker) => Run(broker.SetAllBrokersDown));
        brokers.MapPost("/all/up", (KafkaDevBroker broker) => Run(broker.SetAllBrokersUp));
        brokers.MapPost("/{id:int}/down", (int id, KafkaDevBroker broker) => Run(() => broker.SetBrokerDown(id)));
        brokers.MapPost("/{id:int}/up", (int id, KafkaDevBroker broker) => Run(() => broker.SetBrokerUp(id)));
        app.MapPost("/topics/{name}", (string name, int? partitions, KafkaDevBroker broker) =>
            Run(() => broker.CreateTopic(name, partitions ?? 1)));
    }

    /// <summary>
    /// Every topic the cluster has, with its partition count: those configured and those clients created by using them.
    /// </summary>
    private static SortedDictionary<string, int> TopicsInUse(string bootstrapServers)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(5));
        return new SortedDictionary<string, int>(metadata.Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count), StringComparer.Ordinal);
    }

    private static IResult Run(Action action)
    {
        try
        {
            action();
            return Results.NoContent();
        }
        catch (InvalidOperationException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }
}
