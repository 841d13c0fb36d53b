using System.Net;
using Npgsql;

namespace Logbus.Specs.Supervision;

/// <summary>One <c>./logbus up</c> shared by the specs of a class: starting it costs the most.</summary>
public sealed class SupervisedStack : IAsyncLifetime
{
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(5) };
    private LogbusUp? _up;
    private NpgsqlDataSource? _database;

    internal LogbusUp Up => _up ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _up = LogbusUp.Start();
        await _up.WaitUntilUpAsync();
        _database = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={_up.Port("postgres")};Database=logbus;Username=logbus");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (_up is not null)
        {
            await _up.DisposeAsync();
        }
    }

    internal async Task<bool> ReadyAsync(string service)
    {
        try
        {
            using var response = await _client.GetAsync(new Uri(Up.Address(service), "/health/ready"));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    internal async Task AllReadyAsync(TimeSpan timeout)
    {
        foreach (var service in LogbusUp.Services)
        {
            await Infrastructure.Eventually.TrueAsync(() => ReadyAsync(service), timeout, $"{service} is ready");
        }
    }

    /// <summary>Every event the Api accepted is stored, once, and nothing else of the load's source is.</summary>
    internal async Task AssertStoredOnceAsync(LightLoad load)
    {
        Assert.NotEmpty(load.Accepted);
        var accepted = load.Accepted.ToArray();
        (long Count, long Distinct, long OfAccepted) stored = default;
        await Infrastructure.Eventually.TrueAsync(async () =>
            {
                stored = await CountAsync(load.Source, accepted);
                return stored.OfAccepted >= accepted.Length;
            }, TimeSpan.FromSeconds(60), $"the {accepted.Length} accepted events are stored",
            () => $"{stored.OfAccepted} of them stored ({stored.Count} rows, {stored.Distinct} distinct ids)");
        Assert.Equal(accepted.Length, stored.OfAccepted);
        Assert.Equal(stored.Count, stored.Distinct);
    }

    private async Task<(long Count, long Distinct, long OfAccepted)> CountAsync(string source, string[] accepted)
    {
        await using var command = _database!.CreateCommand(
            "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE id = ANY(@accepted)) FROM log_events WHERE source = @source");
        command.Parameters.AddWithValue("source", source);
        command.Parameters.AddWithValue("accepted", accepted);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    internal async Task<long> OutboxBacklogAsync()
    {
        await using var command = _database!.CreateCommand("SELECT count(*) FROM messaging.outbox_message");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
