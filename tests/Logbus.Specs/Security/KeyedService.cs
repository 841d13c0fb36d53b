using Microsoft.AspNetCore.Mvc.Testing;

namespace Logbus.Specs.Security;

/// <summary>Any of the three services hosted for a spec, whatever its Program type.</summary>
internal sealed class KeyedService(IAsyncDisposable factory, Func<HttpClient> createClient, Func<IServiceProvider> services) : IAsyncDisposable
{
    public IServiceProvider Services => services();

    public static KeyedService Of<TProgram>(WebApplicationFactory<TProgram> factory)
        where TProgram : class => new(factory, factory.CreateClient, () => factory.Services);

    public HttpClient CreateClient() => createClient();

    public ValueTask DisposeAsync() => factory.DisposeAsync();
}
