using Logbus.ServiceDefaults.Health;
using Prometheus;

namespace Logbus.Worker.Health;

internal static class ActuatorEndpoints
{
    /// <summary>The seed's Spring Boot actuator routes, beside <c>/health/*</c> and <c>/metrics</c>.</summary>
    public static WebApplication MapActuatorEndpoints(this WebApplication app)
    {
        app.MapSeedHealth("/actuator/health");
        app.MapMetrics("/actuator/prometheus");
        return app;
    }
}
