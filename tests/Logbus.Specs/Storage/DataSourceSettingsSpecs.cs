using Logbus.Specs.Infrastructure;
using Logbus.Storage;
using Npgsql;

namespace Logbus.Specs.Storage;

[Trait("Kind", "Integration")]
public sealed class DataSourceSettingsSpecs
{
    [Fact]
    public async Task Sessions_merge_GIN_pending_lists_at_1_MB_by_default_at_the_setting_and_at_what_the_connection_string_says()
    {
        await using var db = await SpecDatabase.CreateAsync(migrated: false);

        Assert.Equal("1MB", await PendingListLimitAsync(db.ConnectionString, new StorageOptions()));
        Assert.Equal("256kB", await PendingListLimitAsync(db.ConnectionString, new StorageOptions { GinPendingListKilobytes = 256 }));
        var given = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Options = "-c gin_pending_list_limit=2048 -c statement_timeout=60000" };
        Assert.Equal("2MB", await PendingListLimitAsync(given.ConnectionString, new StorageOptions()));
    }

    private static async Task<string?> PendingListLimitAsync(string connectionString, StorageOptions options)
    {
        await using var dataSource = StorageExtensions.BuildDataSource(connectionString, options);
        await using var command = dataSource.CreateCommand("SHOW gin_pending_list_limit");
        return (string?)await command.ExecuteScalarAsync();
    }
}
