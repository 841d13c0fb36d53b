using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Logbus.Bench.Load;

/// <summary>
/// The baseline for HTTP figures: Kestrel with minimal APIs on the same routes, parsing the JSON body and answering
/// as the Api does (202 with an id), with no validation, storage or messaging. Whatever Logbus adds on top of that is
/// Logbus's cost; what this reaches is what the machine allows an ASP.NET endpoint at all.
/// </summary>
internal sealed class TrivialEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TrivialEndpoint(WebApplication app, Uri address)
    {
        _app = app;
        BaseAddress = address;
    }

    public Uri BaseAddress { get; }

    public static async Task<TrivialEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/api/logs", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            return Results.Text($"{{\"status\":\"accepted\",\"logId\":\"{Guid.CreateVersion7()}\"}}", "application/json",
                statusCode: StatusCodes.Status202Accepted);
        });
        app.MapPost("/api/logs/batch", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            var count = body.RootElement.GetArrayLength();
            return Results.Text($"{{\"status\":\"accepted\",\"accepted\":{count}}}", "application/json", statusCode: StatusCodes.Status202Accepted);
        });
        app.MapGet("/api/query/stats", () => Results.Text("{\"total\":0,\"byLevel\":{},\"bySource\":{},\"perMinute\":[]}", "application/json"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TrivialEndpoint(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
