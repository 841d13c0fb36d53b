using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;

namespace Logbus.Specs.Supervision;

/// <summary>
/// A light, steady load on all three services of a <see cref="LogbusUp"/>: events posted to the Api (each with an id of
/// its own, so a stored event can be matched to its answer), searches on Query, liveness of the Worker. It counts
/// the requests each service failed and keeps the ids of the events the Api accepted.
/// </summary>
internal sealed class LightLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _lastFailure = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<string> _accepted = [];
    private readonly Task[] _senders;
    private int _sequence;

    public LightLoad(LogbusUp up, string source)
    {
        Source = source;
        _senders =
        [
            LoopAsync(up, "api", SendEventAsync),
            LoopAsync(up, "query", client => client.GetAsync($"/api/query/logs?source={source}")),
            LoopAsync(up, "worker", client => client.GetAsync("/health/live")),
        ];
    }

    public string Source { get; }

    public IReadOnlyCollection<string> Accepted => _accepted;

    public int Failures(string service) => _failures.GetValueOrDefault(service);

    public string LastFailure(string service) => _lastFailure.GetValueOrDefault(service) ?? "none";

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_senders);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task<HttpResponseMessage> SendEventAsync(HttpClient client)
    {
        var id = $"{Source}-{Interlocked.Increment(ref _sequence)}";
        var response = await client.PostAsJsonAsync("/api/logs", new { id, message = "under supervision", source = Source });
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            _accepted.Add(id);
        }

        return response;
    }

    private async Task LoopAsync(LogbusUp up, string service, Func<HttpClient, Task<HttpResponseMessage>> request)
    {
        using var client = new HttpClient { BaseAddress = up.Address(service), Timeout = TimeSpan.FromSeconds(10) };
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await request(client);
                if (!response.IsSuccessStatusCode)
                {
                    Fail(service, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
            // A connection the killed process reset can surface as a bare SocketException (the connect read its remote end
            // after the reset): the same failure to reach the service.
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException)
            {
                Fail(service, e.InnerException is { } cause ? $"{e.Message} ({cause.Message})" : e.Message);
            }

            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Fail(string service, string what)
    {
        _failures.AddOrUpdate(service, 1, (_, n) => n + 1);
        _lastFailure[service] = what;
    }
}
