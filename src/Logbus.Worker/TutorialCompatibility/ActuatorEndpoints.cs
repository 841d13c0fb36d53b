using Logbus.ServiceDefaults.TutorialCompatibility;
using Logbus.ServiceDefaults.Security;
using Prometheus;

namespace Logbus.Worker.TutorialCompatibility;

internal static class ActuatorEndpoints
{
    /// <summary>The tutorial's Spring Boot actuator routes, beside <c>/health/*</c> and <c>/metrics</c>.</summary>
    public static WebApplication MapActuatorEndpoints(this WebApplication app)
    {
        app.MapTutorialHealth("/actuator/health");
        app.MapMetrics("/actuator/prometheus").AsDiagnostics();
        return app;
    }
}
