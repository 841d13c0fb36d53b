using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.ServiceDefaults.Health;

public static class HealthEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// <c>/health/live</c> (the process answers; no dependency is asked) and <c>/health/ready</c> (every dependency
    /// check tagged ready; 503 while one is unhealthy), both with a JSON body naming each check.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = WriteReport,
        });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(HealthChecksBuilderExtensions.ReadyTag),
            ResponseWriter = WriteReport,
        });
        return endpoints;
    }

    /// <summary>
    /// The seed tutorial's health route: <c>{"status":"healthy","service":…,"timestamp":…}</c> while every
    /// dependency is reachable, 503 naming the failing ones while not.
    /// </summary>
    public static RouteHandlerBuilder MapSeedHealth(this IEndpointRouteBuilder endpoints, string pattern) =>
        endpoints.MapGet(pattern, async (HealthCheckService health, ServiceIdentity identity, TimeProvider time, CancellationToken cancellationToken) =>
            {
                var report = await health.CheckHealthAsync(r => r.Tags.Contains(HealthChecksBuilderExtensions.ReadyTag), cancellationToken);
                var answer = SeedHealthAnswer.From(report, identity, time.GetUtcNow());
                return report.Status == HealthStatus.Unhealthy
                    ? Results.Json(answer, statusCode: StatusCodes.Status503ServiceUnavailable)
                    : Results.Ok(answer);
            })
            .WithName($"SeedHealth{pattern.Replace('/', '_')}")
            .WithSummary("Health in the seed tutorial's shape")
            .WithDescription("200 with status healthy (or degraded) while the dependencies this service needs answer; 503 naming the failing dependencies otherwise.")
            .Produces<SeedHealthAnswer>()
            .Produces<SeedHealthAnswer>(StatusCodes.Status503ServiceUnavailable);

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}

/// <summary>The seed tutorial's health answer, with the failing and degraded dependencies named.</summary>
public sealed record SeedHealthAnswer(
    string Status,
    string Service,
    DateTimeOffset Timestamp,
    IReadOnlyList<string> Failing,
    IReadOnlyList<string> Degraded,
    IReadOnlyDictionary<string, string> Details)
{
    public static SeedHealthAnswer From(HealthReport report, ServiceIdentity identity, DateTimeOffset now) => new(
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
