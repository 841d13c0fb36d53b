using System.Net.Mime;
using Logbus.ServiceDefaults.Security;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Logbus.Query.WebUi;

internal static partial class WebUiEndpoints
{
    /// <summary>The pages the UI routes itself; each answers with its <c>index.html</c>.</summary>
    private static readonly string[] Pages = ["/", "/imports"];

    /// <summary>
    /// The log explorer at <c>/</c>: its pages and its static files. When the UI was not built the service still runs
    /// and its pages say how to build it.
    /// </summary>
    public static WebApplication MapWebUi(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<WebUiOptions>>().Value;
        var candidates = WebUiFiles.Candidates(options, app.Environment.ContentRootPath);
        var root = WebUiFiles.Find(candidates);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebUiEndpoints).FullName!);
        if (root is null)
        {
            LogNotBuilt(logger, string.Join(", ", candidates));
            foreach (var page in Pages)
            {
                app.MapGet(page, () => TypedResults.Content(NotBuiltPage, MediaTypeNames.Text.Html,
                    statusCode: StatusCodes.Status503ServiceUnavailable))
                    .AllowWithoutKey()
                    .ExcludeFromDescription();
            }

            return app;
        }

        LogServing(logger, root);
        var files = new PhysicalFileProvider(root);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                // Vite puts a content hash in every asset's name, so an asset never changes under its name.
                context.Context.Response.Headers.CacheControl = context.Context.Request.Path.StartsWithSegments("/assets")
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
            },
        });
        var index = Path.Combine(root, "index.html");
        foreach (var page in Pages)
        {
            app.MapGet(page, (HttpContext context) =>
            {
                // A new build must reach the browser on its next visit: revalidate the page every time.
                context.Response.Headers.CacheControl = "no-cache";
                return TypedResults.PhysicalFile(index, MediaTypeNames.Text.Html, enableRangeProcessing: false);
            }).AllowWithoutKey().ExcludeFromDescription();
        }

        return app;
    }

    private const string NotBuiltPage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Logbus: web UI not built</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
        <h1>The Logbus web UI has not been built</h1>
        <p>This Query service answers its API (<a href="/api/query/logs">/api/query/logs</a>,
        <a href="/openapi/v1.json">/openapi/v1.json</a>), but it has no built explorer to show.</p>
        <p>Build it with <code>./logbus up</code>, or run <code>npm ci &amp;&amp; npm run build</code> in
        <code>src/Logbus.Query/web</code>, then reload this page.</p>
        </body></html>
        """;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The web UI is not built (no index.html in {Folders}); / answers 503 until it is. "
        + "Build it with ./logbus up, or npm ci && npm run build in src/Logbus.Query/web")]
    private static partial void LogNotBuilt(ILogger logger, string folders);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving the web UI from {Folder}")]
    private static partial void LogServing(ILogger logger, string folder);
}
