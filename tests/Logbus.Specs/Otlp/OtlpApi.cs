using Logbus.Contracts;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Otlp;

/// <summary>
/// The Api on real sockets with its OTLP ports, as <c>./logbus up</c> runs it: its own HTTP address, an OTLP/HTTP
/// address (<c>Otlp:HttpUrl</c>) and an HTTP/2 one for gRPC (<c>Otlp:GrpcUrl</c>), each on a free port.
/// </summary>
public class OtlpApi : IAsyncLifetime
{
    private ApiHost? _host;
    private SpecDatabase? _db;

    public Uri HttpEndpoint { get; private set; } = null!;

    public Uri GrpcEndpoint { get; private set; } = null!;

    internal ApiHost Host => _host!;

    /// <summary>Extra settings, for a spec class that needs other limits.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        _db = await SpecDatabase.CreateAsync();
        var (own, http, grpc) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["Otlp:HttpUrl"] = $"http://127.0.0.1:{http}",
            ["Otlp:GrpcUrl"] = $"http://127.0.0.1:{grpc}",
        };
        _host = ApiHost.Start(_db, settings, urls: $"http://127.0.0.1:{own}");
        HttpEndpoint = new Uri($"http://127.0.0.1:{http}");
        GrpcEndpoint = new Uri($"http://127.0.0.1:{grpc}");
        await Eventually.TrueAsync(async () => await IsOpenAsync(grpc) && await IsOpenAsync(http), TimeSpan.FromSeconds(30), "the OTLP ports listen");
    }

    /// <summary>The events in the outbox whose source is <paramref name="source"/>.</summary>
    public async Task<List<AcceptedLogEvent>> EventsOfAsync(string source) =>
        [.. (await Host.OutboxEventsAsync()).Where(e => e.Source == source)];

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }

    private static async Task<bool> IsOpenAsync(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
