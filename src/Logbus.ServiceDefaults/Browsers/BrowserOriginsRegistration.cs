using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Logbus.ServiceDefaults.Browsers;

/// <summary>CORS only for the origins <c>Cors:AllowedOrigins</c> lists; with none listed, no CORS middleware runs.</summary>
public static class BrowserOriginsRegistration
{
    public static IHostApplicationBuilder AddBrowserOrigins(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<BrowserOriginsOptions>(BrowserOriginsOptions.Section)
            .Validate(o => o.AllowedOrigins.All(IsOrigin),
                "Cors:AllowedOrigins lists origins such as https://ops.example.com (http or https, host, optional port; no path, no '*').");
        builder.Services.AddCors();
        builder.Services.AddSingleton<IConfigureOptions<CorsOptions>>(sp => new ConfigureOptions<CorsOptions>(cors =>
        {
            var origins = sp.GetRequiredService<IOptions<BrowserOriginsOptions>>().Value.AllowedOrigins;
            cors.AddDefaultPolicy(policy => policy.WithOrigins([.. origins]).AllowAnyHeader().AllowAnyMethod());
        }));
        return builder;
    }

    public static WebApplication UseBrowserOrigins(this WebApplication app)
    {
        if (app.Configuration.GetSection(BrowserOriginsOptions.Section).Get<BrowserOriginsOptions>() is { AllowedOrigins.Count: > 0 })
        {
            app.UseCors();
        }

        return app;
    }

    private static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && uri.AbsolutePath == "/"
        && !origin.EndsWith('/')
        && string.IsNullOrEmpty(uri.Query);
}
