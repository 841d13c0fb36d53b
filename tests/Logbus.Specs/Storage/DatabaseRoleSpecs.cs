using Logbus.Specs.Infrastructure;
using Logbus.Storage.Partitions;
using Logbus.Storage.Schema;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Logbus.Specs.Storage;

/// <summary>
/// The roles of the DatabaseRoles migration: Query's <c>logbus_reader</c> reads and changes nothing, the Api's and
/// Worker's <c>logbus_writer</c> changes rows and maintains the partitions of <c>log_events</c> but not the schema, and a
/// migrator that is no superuser builds the schema from an empty database.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class DatabaseRoleSpecs
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Theory]
    [InlineData("""UPDATE log_events SET message = 'changed'""")]
    [InlineData("""DELETE FROM log_events""")]
    [InlineData("""INSERT INTO log_events (id, "timestamp", level, message, source, received_at) VALUES ('x', now(), 'INFO', 'm', 's', now())""")]
    [InlineData("""TRUNCATE log_events""")]
    [InlineData("""DROP TABLE log_events_default""")]
    [InlineData("""DELETE FROM messaging.outbox_message""")]
    [InlineData("""UPDATE import_state SET cancel_requested_at = now()""")]
    [InlineData("""CREATE TABLE sneaked_in (id int)""")]
    public async Task Query_s_role_is_refused_any_change(string sql)
    {
        await using var db = await SpecDatabase.CreateAsync();
        await LogEventRows.InsertAsync(db, "kept", DateTimeOffset.UtcNow);
        await using var reader = NpgsqlDataSource.Create(db.ReaderConnectionString);

        var refused = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var command = reader.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        });

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE message = 'a spec event'"));
        await using var count = reader.CreateCommand("SELECT count(*) FROM log_events");
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_writer_changes_rows_and_keeps_the_partitions_but_cannot_change_the_schema_or_its_history()
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var host = StorageHost.Build(db.WriterConnectionString);
        await using var writer = NpgsqlDataSource.Create(db.WriterConnectionString);
        var partitions = host.Services.GetRequiredService<LogEventPartitions>();

        await ExecuteAsync(writer, """
            INSERT INTO log_events (id, "timestamp", level, message, source, received_at) VALUES ('w', now(), 'INFO', 'm', 's', now())
            """);
        await ExecuteAsync(writer, "UPDATE log_events SET message = 'changed' WHERE id = 'w'");
        await ExecuteAsync(writer, "DELETE FROM log_events WHERE id = 'w'");
        var late = LogEventPartition.For(Today.AddDays(-20));
        await LogEventRows.InsertAsync(db, "late", late.From.AddHours(1));
        Assert.Equal([late], await partitions.EnsureAsync(late.Day, late.Day));
        Assert.Equal(late.Table, await LogEventRows.PartitionOfAsync(db, "late"));
        Assert.Contains(late, await partitions.DropBeforeAsync(Today.AddDays(-10)));

        foreach (var sql in new[]
        {
            "ALTER TABLE messaging.outbox_message ADD COLUMN sneaked_in int",
            "DROP TABLE import_state",
            "DELETE FROM __logbus_migrations",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(writer, sql));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    [Fact]
    public async Task A_migrator_that_is_no_superuser_builds_the_schema_and_log_events_belongs_to_the_writer()
    {
        await using var db = await SpecDatabase.CreateAsync(migrated: false);
        var migrator = "spec_migrator_" + Guid.NewGuid().ToString("N")[..8];
        // As a deployment does before migrating (a migrator without CREATEROLE cannot create them).
        await db.ExecuteAsync("""
            DO $$ BEGIN CREATE ROLE logbus_writer NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE logbus_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
            """);
        await db.ExecuteAsync($"CREATE ROLE {migrator} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB IN ROLE logbus_writer");
        await db.ExecuteAsync($"ALTER DATABASE {db.Name} OWNER TO {migrator}");
        var connection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = migrator }.ConnectionString;

        using (var host = StorageHost.Build(connection))
        {
            await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
            await host.Services.GetRequiredService<NpgsqlDataSource>().DisposeAsync();
        }

        Assert.Equal(migrator, await db.ScalarAsync<string>("SELECT tableowner::text FROM pg_tables WHERE tablename = 'import_state'"));
        Assert.Equal(migrator, await db.ScalarAsync<string>("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'messaging'"));
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'public.log_events'::regclass AND c.relowner::regrole::text <> 'logbus_writer'
            """));
        Assert.Equal("logbus_writer", await db.ScalarAsync<string>("SELECT tableowner::text FROM pg_tables WHERE tablename = 'log_events'"));
        Assert.False(await db.ScalarAsync<bool>("SELECT has_table_privilege('logbus_reader', 'log_events', 'INSERT, UPDATE, DELETE')"));
        Assert.True(await db.ScalarAsync<bool>("SELECT has_table_privilege('logbus_reader', 'messaging.outbox_message', 'SELECT')"));
        Assert.True(await db.ScalarAsync<bool>("SELECT has_table_privilege('logbus_writer', 'messaging.inbox_state', 'INSERT, UPDATE, DELETE')"));
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
