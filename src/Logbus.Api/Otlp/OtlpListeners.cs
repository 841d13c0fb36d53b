namespace Logbus.Api.Otlp;

/// <summary>
/// Adds Kestrel endpoints for <c>Otlp:HttpUrl</c> and <c>Otlp:GrpcUrl</c> (HTTP/2 only, as gRPC without TLS needs).
/// Kestrel binds either its configured endpoints or the <c>Urls</c> setting, never both, so the Api's own
/// <c>Urls</c> become endpoints too; a configuration that already lists <c>Kestrel:Endpoints</c> keeps them as they are.
/// </summary>
internal static class OtlpListeners
{
    public static void AddTo(IConfigurationManager configuration)
    {
        var http = configuration[$"{OtlpOptions.Section}:{nameof(OtlpOptions.HttpUrl)}"];
        var grpc = configuration[$"{OtlpOptions.Section}:{nameof(OtlpOptions.GrpcUrl)}"];
        if (string.IsNullOrWhiteSpace(http) && string.IsNullOrWhiteSpace(grpc))
        {
            return;
        }

        var endpoints = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            var urls = (configuration[WebHostDefaults.ServerUrlsKey] ?? "http://localhost:5000")
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < urls.Length; i++)
            {
                endpoints[$"Kestrel:Endpoints:Api{i}:Url"] = urls[i];
            }
        }

        if (!string.IsNullOrWhiteSpace(http))
        {
            endpoints["Kestrel:Endpoints:OtlpHttp:Url"] = http;
        }

        if (!string.IsNullOrWhiteSpace(grpc))
        {
            endpoints["Kestrel:Endpoints:OtlpGrpc:Url"] = grpc;
            endpoints["Kestrel:Endpoints:OtlpGrpc:Protocols"] = "Http2";
        }

        configuration.AddInMemoryCollection(endpoints);
    }
}
