using Logbus.Messaging.Kafka.Testing;

namespace Logbus.DevBroker;

/// <summary>
/// A small HTTP surface to inspect the dev broker and inject faults by hand, e.g. to watch Logbus ride out a Kafka
/// outage: <c>curl -X POST localhost:PORT/brokers/all/down</c>.
/// </summary>
internal static class BrokerControlEndpoints
{
    public static void MapBrokerControl(this WebApplication app, DevBrokerSettings settings)
    {
        app.MapGet("/", (KafkaDevBroker broker) => Results.Ok(new
        {
            bootstrapServers = broker.BootstrapServers,
            brokers = broker.BrokerCount,
            topics = settings.Topics,
        }));

        var brokers = app.MapGroup("/brokers");
        brokers.MapPost("/all/down", (KafkaDevBroker broker) => Run(broker.SetAllBrokersDown));
        brokers.MapPost("/all/up", (KafkaDevBroker broker) => Run(broker.SetAllBrokersUp));
        brokers.MapPost("/{id:int}/down", (int id, KafkaDevBroker broker) => Run(() => broker.SetBrokerDown(id)));
        brokers.MapPost("/{id:int}/up", (int id, KafkaDevBroker broker) => Run(() => broker.SetBrokerUp(id)));
        app.MapPost("/topics/{name}", (string name, int? partitions, KafkaDevBroker broker) =>
            Run(() => broker.CreateTopic(name, partitions ?? 1)));
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
