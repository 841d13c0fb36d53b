using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.ServiceDefaults.TutorialCompatibility;

/// <summary>The tutorial's health answer, with the failing and degraded dependencies named.</summary>
public sealed record TutorialHealthAnswer(
    string Status,
    string Service,
    DateTimeOffset Timestamp,
    IReadOnlyList<string> Failing,
    IReadOnlyList<string> Degraded,
    IReadOnlyDictionary<string, string> Details)
{
    public static TutorialHealthAnswer From(HealthReport report, ServiceIdentity identity, DateTimeOffset now) => new(
        report.Status switch
        {
            HealthStatus.Healthy => "healthy",
            HealthStatus.Degraded => "degraded",
            _ => "unhealthy",
        },
        identity.Name,
        now,
        [.. report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).Select(e => e.Key)],
        [.. report.Entries.Where(e => e.Value.Status == HealthStatus.Degraded).Select(e => e.Key)],
        report.Entries.ToDictionary(e => e.Key, e => e.Value.Description ?? e.Value.Status.ToString()));
}
