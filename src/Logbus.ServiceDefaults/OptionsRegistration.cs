using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Logbus.ServiceDefaults;

public static class OptionsRegistration
{
    /// <summary>
    /// The one way Logbus binds a settings class: from its configuration section, checked against its data annotations
    /// (add more rules with <c>Validate</c> on the answer) when the service starts, so a bad setting stops the start
    /// instead of failing the first request that reads it.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
