using Logbus.Storage.Schema;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Logbus.Specs.Infrastructure;

/// <summary>
/// A database of a spec's own, created from a template that the real migrator brought to the current schema once per
/// run (so each spec starts from a migrated schema in milliseconds), and dropped afterwards.
/// </summary>
internal sealed class SpecDatabase : IAsyncDisposable
{
    private const string Template = "logbus_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly HashSet<int> TemplatedServers = [];
    private readonly LocalPostgres _server;

    private SpecDatabase(LocalPostgres server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = server.ConnectionString(name);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>As the Api and the Worker connect in a deployment: <c>logbus_writer</c> (see the DatabaseRoles migration).</summary>
    public string WriterConnectionString => _server.ConnectionString(Name, "logbus_writer");

    /// <summary>As Query and Grafana connect in a deployment: <c>logbus_reader</c>, which may only read.</summary>
    public string ReaderConnectionString => _server.ConnectionString(Name, "logbus_reader");

    /// <summary>A new database on <paramref name="server"/> (default: the run's shared server).</summary>
    /// <param name="migrated">False for an empty database, to watch the migrations build the schema.</param>
    public static async Task<SpecDatabase> CreateAsync(LocalPostgres? server = null, bool migrated = true)
    {
        server ??= SharedServers.Postgres;
        var name = "spec_" + Guid.NewGuid().ToString("N")[..12];
        await Gate.WaitAsync();
        try
        {
            if (migrated && TemplatedServers.Add(server.Port))
            {
                await CreateTemplateAsync(server);
            }

            await ExecuteAsync(server, migrated ? $"CREATE DATABASE {name} TEMPLATE {Template}" : $"CREATE DATABASE {name}");
        }
        finally
        {
            Gate.Release();
        }

        return new SpecDatabase(server, name);
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var (parameterName, value) in parameters)
        {
            command.Parameters.AddWithValue(parameterName, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        try
        {
            await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        }
        catch (NpgsqlException)
        {
            // The spec took its server down; the whole cluster goes away with the run.
        }
    }

    private static async Task CreateTemplateAsync(LocalPostgres server)
    {
        await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {Template} WITH (FORCE)");
        await ExecuteAsync(server, $"CREATE DATABASE {Template}");
        using (var host = StorageHost.Build(server.ConnectionString(Template)))
        {
            await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
            await host.Services.GetRequiredService<NpgsqlDataSource>().DisposeAsync();
        }

        // The migration creates the roles without LOGIN, for a deployment to give them a password; the spec cluster trusts
        // loopback connections, so LOGIN is all they need here.
        await ExecuteAsync(server, "ALTER ROLE logbus_writer LOGIN");
        await ExecuteAsync(server, "ALTER ROLE logbus_reader LOGIN");

        // CREATE DATABASE … TEMPLATE needs the template to have no open connections.
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task ExecuteAsync(LocalPostgres server, string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString() + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
