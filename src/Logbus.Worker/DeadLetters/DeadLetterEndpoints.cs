using System.Globalization;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Logbus.Worker.DeadLetters;

internal static class DeadLetterEndpoints
{
    /// <summary><c>GET /api/dead-letters</c> and <c>POST /api/dead-letters/{id}/replay</c>.</summary>
    public static WebApplication MapDeadLetters(this WebApplication app)
    {
        var group = app.MapGroup("/api/dead-letters").WithTags("Dead letters").RequireKeyScope(KeyScopes.Admin);
        group.MapGet("/", ListAsync)
            .WithName("ListDeadLetters")
            .WithSummary("Records the Worker gave up on")
            .WithDescription("The newest dead letters of log-events (at most ?limit per partition, 1-1000, default 100), newest first, " +
                "with the reason, the attempts, where they came from and whether they were replayed.");
        group.MapPost("/{id}/replay", ReplayAsync)
            .WithName("ReplayDeadLetter")
            .WithSummary("Send a dead letter through the Worker again")
            .WithDescription("Produces the original record to its original topic again, keeping its MessageId: its events are stored once however " +
                "often it is replayed. Replay once the cause is fixed.");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<DeadLetter>>,
        ValidationProblem>> ListAsync(DeadLetterTopic topic, string? limit, CancellationToken cancellationToken)
    {
        // Read as text: a value that is no number is the client's mistake to name, not a binding failure.
        var perPartition = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out perPartition)
            || perPartition is < 1 or > DeadLetterTopic.MaxLimit))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"'limit' must be a whole number from 1 to {DeadLetterTopic.MaxLimit} (records per partition); it was '{limit}'."],
            });
        }

        return TypedResults.Ok(await topic.ListAsync(perPartition, cancellationToken));
    }

    private static async Task<Results<Accepted<object>, ProblemHttpResult,
        ValidationProblem>> ReplayAsync(string id, DeadLetterTopic topic, CancellationToken cancellationToken)
    {
        var parts = id.Split('-', 2);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return TypedResults.ValidationProblem(new Dictionary<string,
                string[]> { ["id"] = ["A dead letter's id is <partition>-<offset>, as GET /api/dead-letters lists it."] });
        }

        var replayed = await topic.ReplayAsync(partition, offset, cancellationToken);
        return replayed is { } r
            ? TypedResults.Accepted((string?)null, (object)new { status = "replayed", deadLetter = id, topic = r.Topic, messageId = r.MessageId })
            : TypedResults.Problem($"{topic.Topic} has no record {id}.", statusCode: StatusCodes.Status404NotFound, title: "No such dead letter");
    }
}
