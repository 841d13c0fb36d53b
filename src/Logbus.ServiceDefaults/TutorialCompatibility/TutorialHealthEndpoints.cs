using Logbus.ServiceDefaults.Health;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Logbus.ServiceDefaults.TutorialCompatibility;

/// <summary>The health route of each of the tutorial's services, answering in its shape.</summary>
public static class TutorialHealthEndpoints
{
    /// <summary>
    /// The tutorial's health route: <c>{"status":"healthy","service":…,"timestamp":…}</c> while every
    /// dependency is reachable, 503 naming the failing ones while not.
    /// </summary>
    public static RouteHandlerBuilder MapTutorialHealth(this IEndpointRouteBuilder endpoints, string pattern) =>
        endpoints.MapGet(pattern, async (HttpContext context, HealthCheckService health, ServiceIdentity identity, TimeProvider time,
            CancellationToken cancellationToken) =>
            {
                var report = await health.CheckHealthAsync(r => r.Tags.Contains(HealthChecksBuilderExtensions.ReadyTag), cancellationToken);
                var answer = TutorialHealthAnswer.From(report, identity, time.GetUtcNow());
                if (!RequestKey.IsAdmin(context))
                {
                    // Descriptions name hosts and errors: with keys configured, only an admin key reads them.
                    answer = answer with { Details = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()) };
                }

                return report.Status == HealthStatus.Unhealthy
                    ? Results.Json(answer, statusCode: StatusCodes.Status503ServiceUnavailable)
                    : Results.Ok(answer);
            })
            .AllowWithoutKey()
            .WithName($"TutorialHealth{pattern.Replace('/', '_')}")
            .WithSummary("Health in the tutorial's shape")
            .WithDescription("200 with status healthy (or degraded) while the dependencies this service needs answer; 503 naming the failing " +
                "dependencies otherwise.")
            .Produces<TutorialHealthAnswer>()
            .Produces<TutorialHealthAnswer>(StatusCodes.Status503ServiceUnavailable);
}
