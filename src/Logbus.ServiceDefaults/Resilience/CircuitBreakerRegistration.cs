using Microsoft.Extensions.DependencyInjection;

namespace Logbus.ServiceDefaults.Resilience;

public static class CircuitBreakerRegistration
{
    /// <summary>
    /// One <see cref="DependencyCircuitBreaker"/> per dependency and process, registered under the dependency's name:
    /// take it with <c>[FromKeyedServices(name)]</c>, so every caller of the dependency shares its state (and its
    /// <c>logbus_circuit_open</c> gauge).
    /// </summary>
    /// <param name="settings">When the circuit opens and for how long, from the services (e.g. bound options); unset, the defaults.</param>
    public static IServiceCollection AddCircuitBreaker(this IServiceCollection services, string dependency, Func<Exception, bool> isOutage,
        Func<IServiceProvider, CircuitBreakerSettings>? settings = null) =>
        services.AddKeyedSingleton(dependency, (sp, _) => new DependencyCircuitBreaker(dependency, isOutage, settings?.Invoke(sp)));
}
