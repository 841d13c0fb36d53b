using Logbus.Specs.Infrastructure;
using Logbus.Storage;
using Logbus.Storage.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Logbus.Specs.Foundation;

[Trait("Kind", "Integration")]
public sealed class MigrationSpecs
{
    [Fact]
    public async Task Build_the_schema_from_an_empty_database()
    {
        await using var db = await SpecDatabase.CreateAsync(migrated: false);
        using var host = StorageHost.Build(db.ConnectionString);

        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();

        Assert.Equal("r", await db.ScalarAsync<string>(
            "SELECT partstrat::text FROM pg_partitioned_table WHERE partrelid = 'public.log_events'::regclass"));
        Assert.True(await db.ScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = 'log_events_default' AND " +
                "pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT')"));
        var indexes = await IndexesOfAsync(db);
        Assert.Contains("pk_log_events USING btree (id, \"timestamp\")", indexes);
        Assert.Contains("ix_log_events_timestamp USING btree (\"timestamp\")", indexes);
        Assert.Contains("ix_log_events_message_words USING gin (to_tsvector('simple'::regconfig, message))", indexes);
        Assert.Contains("ix_log_events_source_timestamp USING btree (source, \"timestamp\" DESC)", indexes);
        Assert.Contains("ix_log_events_level_timestamp USING btree (level, \"timestamp\" DESC)", indexes);
        Assert.Contains("ix_log_events_metadata USING gin (metadata jsonb_path_ops)", indexes);
        Assert.Contains("ix_log_events_stored_at USING brin (stored_at)", indexes);
        Assert.Equal(AllMigrations(host).Count, await AppliedMigrationCountAsync(db));
    }

    [Fact]
    public async Task Are_safe_to_run_again_and_from_several_processes_at_once()
    {
        await using var db = await SpecDatabase.CreateAsync(migrated: false);
        var hosts = Enumerable.Range(0, 4).Select(_ => StorageHost.Build(db.ConnectionString)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => Task.Run(() => h.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync())));
            await hosts[0].Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();

            Assert.Equal(AllMigrations(hosts[0]).Count, await AppliedMigrationCountAsync(db));
            Assert.Equal(
                await db.ScalarAsync<long>("SELECT count(DISTINCT relname) FROM pg_class WHERE relname LIKE 'log_events_p%' AND relkind = 'r'"),
                await db.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname LIKE 'log_events_p%' AND relkind = 'r'"));
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public async Task Leave_the_model_without_pending_changes()
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var host = StorageHost.Build(db.ConnectionString);
        using var scope = host.Services.CreateScope();
        var context = scope.ServiceProvider.GetRequiredService<LogbusDbContext>();

        Assert.False(context.Database.HasPendingModelChanges(), "the model has changes no migration captures: run dotnet ef migrations add");
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
    }

    private static IReadOnlyCollection<string> AllMigrations(Microsoft.Extensions.Hosting.IHost host)
    {
        using var scope = host.Services.CreateScope();
        return [.. scope.ServiceProvider.GetRequiredService<LogbusDbContext>().Database.GetMigrations()];
    }

    private static Task<long> AppliedMigrationCountAsync(SpecDatabase db) =>
        db.ScalarAsync<long>($"SELECT count(*) FROM \"{LogbusDbContext.MigrationsHistoryTable}\"");

    private static async Task<List<string>> IndexesOfAsync(SpecDatabase db)
    {
        await using var command = db.DataSource.CreateCommand("""
            SELECT indexname || ' ' || substring(indexdef from 'USING .*$') FROM pg_indexes WHERE tablename = 'log_events'
            """);
        var indexes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            indexes.Add(reader.GetString(0));
        }

        return indexes;
    }
}
