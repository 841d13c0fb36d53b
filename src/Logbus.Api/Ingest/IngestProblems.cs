using System.Globalization;
using System.Text.Json;

namespace Logbus.Api.Ingest;

/// <summary>The answers to bad input: 400 ProblemDetails naming the field and, in a batch, the index.</summary>
public static class IngestProblems
{
    public static IResult InvalidEvent(IReadOnlyList<FieldError> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Reason).ToArray()),
            title: "The event is not valid.",
            detail: "Nothing was stored. Fix the fields named in 'errors' and send it again.");

    /// <param name="partialOffered">Whether the route takes <c>?partial=true</c> (the Seq routes do not: Seq's clients resend whole batches).</param>
    public static IResult InvalidBatch(IReadOnlyList<(int Index, FieldError Error)> errors, bool partialOffered = true) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => $"[{e.Index.ToString(CultureInfo.InvariantCulture)}].{e.Error.Field}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Error.Reason).ToArray()),
            title: $"{errors.Select(e => e.Index).Distinct().Count()} event(s) of the batch are not valid.",
            detail: partialOffered
                ? "Nothing was stored: a batch is all-or-nothing. Fix the events named in 'errors' (by index), or send ?partial=true to store " +
                  "the valid ones and get a report of the others."
                : "Nothing was stored: a batch is all-or-nothing. Fix the events named in 'errors' (by index, the first line or event being 0) " +
                  "and send the batch again.");

    public static IResult EventTooLarge(int index, int bytes, int maxBytes) =>
        TypedResults.Problem(
            string.Create(CultureInfo.InvariantCulture,
                $"Event [{index}] takes {bytes:N0} bytes as serialized for Kafka; one chunk may hold at most {maxBytes:N0} " +
                $"(setting Ingest:ChunkMaxBytes). Nothing was stored. Shorten its message, metadata or exception."),
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "An event is larger than a Kafka record may be.");

    /// <param name="maxMetadataDepth">When given, a body too deep to read says how deep an event's metadata may nest.</param>
    public static IResult NotJson(JsonException e, string what = "The body", int? maxMetadataDepth = null) =>
        TypedResults.Problem(
            $"{what} is not valid JSON: {e.Message.Split(" Path:", 2)[0]}" + (maxMetadataDepth is { } depth && IsTooDeep(e)
                ? $" An event's metadata may nest at most {depth} levels (setting Ingest:MaxMetadataDepth): flatten it, or send deeper " +
                  "structures as a JSON string."
                : ""),
            statusCode: StatusCodes.Status400BadRequest,
            title: "The body is not valid JSON.");

    // System.Text.Json says so only in its message (the same in every culture: the Api runs with invariant globalization).
    public static bool IsTooDeep(JsonException e) => e.Message.Contains("maximum configured depth", StringComparison.Ordinal);

    public static IResult Undecodable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The body could not be decoded.");

    public static IResult WrongShape(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The body does not have the expected shape.");

    public static IResult NotUnicode() =>
        TypedResults.Problem(
            "The body holds text that is not valid UTF-8, or a \\uD800-\\uDFFF escape without its pair. Send UTF-8 JSON.",
            statusCode: StatusCodes.Status400BadRequest,
            title: "The body is not valid Unicode text.");
}
