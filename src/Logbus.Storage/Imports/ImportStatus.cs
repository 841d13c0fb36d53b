using System.Text.Json;
using Logbus.Contracts;

namespace Logbus.Storage.Imports;

/// <summary>An import as <c>GET /api/imports/{id}</c> shows it.</summary>
/// <param name="StartedBy">The name of the API key that started it (null without keys).</param>
/// <param name="Progress">Events stored, found duplicate or skipped, over those accepted (0–1); null while receiving.</param>
public sealed record ImportStatus(
    Guid Id,
    string? FileName,
    string? Format,
    string State,
    long LinesRead,
    long Accepted,
    long Rejected,
    long Stored,
    long Duplicates,
    long Skipped,
    int? ChunksExpected,
    int ChunksStored,
    double? Progress,
    IReadOnlyList<ImportLineError> Errors,
    string? FailureReason,
    DateTimeOffset StartedAt,
    DateTimeOffset? ReceivedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? CancelRequestedAt,
    double? DurationSeconds,
    string StatusUrl,
    string? StartedBy = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ImportStatus From(ImportState s)
    {
        var done = s.Stored + s.Duplicates + s.Skipped;
        return new ImportStatus(
            s.CorrelationId, s.FileName, s.Format, s.CurrentState, s.LinesRead, s.Accepted, s.Rejected, s.Stored, s.Duplicates, s.Skipped,
            s.ChunksExpected, s.ChunksStored,
            s.ChunksExpected is null ? null : s.Accepted == 0 ? 1 : Math.Min(1, (double)done / s.Accepted),
            s.Errors is null ? [] : JsonSerializer.Deserialize<List<ImportLineError>>(s.Errors, Json) ?? [],
            s.FailureReason, s.StartedAt, s.ReceivedAt, s.FinishedAt, s.CancelRequestedAt,
            s.FinishedAt is { } finished ? (finished - s.StartedAt).TotalSeconds : null,
            $"/api/imports/{s.CorrelationId}",
            s.StartedBy);
    }
}
