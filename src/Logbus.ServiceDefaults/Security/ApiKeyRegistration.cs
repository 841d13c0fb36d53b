using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Logbus.ServiceDefaults.Security;

public static class ApiKeyRegistration
{
    /// <summary>The key model every service shares (section <c>ApiKeys</c>).</summary>
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, KeysUsable>();
        services.AddValidatedOptions<ApiKeyOptions>(ApiKeyOptions.Section)
            .Validate(o => o.File is null || o.File.Length == 0 || Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(o.File))),
                "ApiKeys:File must be in a folder that exists.");
        services.AddSingleton<ApiKeys>();
        return services;
    }

    /// <summary>Each route's key rule, enforced; a warning at start-up when no key is configured.</summary>
    public static WebApplication UseApiKeys(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var keys = app.Services.GetRequiredService<ApiKeys>();
        if (!keys.Required)
        {
            app.Logger.LogWarning("No API keys are configured (ApiKeys:Keys, ApiKeys:File): every route is open to anyone who reaches this " +
                "port, and a presented key is ignored. Configure a key (./logbus keys add) before exposing this service.");
        }

        app.UseMiddleware<ApiKeyMiddleware>();
        return app;
    }

    /// <summary>Stops the start naming the first configured key that cannot be used.</summary>
    private sealed class KeysUsable : IValidateOptions<ApiKeyOptions>
    {
        public ValidateOptionsResult Validate(string? name, ApiKeyOptions options) =>
            ApiKeyValidation.ProblemWith(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
