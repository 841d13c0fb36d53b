using Logbus.Specs.Infrastructure;
using Logbus.Storage.Partitions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Foundation;

[Trait("Kind", "Integration")]
public sealed class PartitionSpecs
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task Partitions_exist_for_the_coming_days_and_events_land_in_their_day()
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var host = StorageHost.Build(db.ConnectionString);
        var options = host.Services.GetRequiredService<IOptions<LogEventPartitionOptions>>().Value;

        var days = (await host.Services.GetRequiredService<LogEventPartitions>().ListAsync()).Select(p => p.Day).ToHashSet();
        for (var day = Today.AddDays(-options.DaysBehind); day <= Today.AddDays(options.DaysAhead); day = day.AddDays(1))
        {
            Assert.Contains(day, days);
        }

        var lastDay = LogEventPartition.For(Today.AddDays(options.DaysAhead));
        await LogEventRows.InsertAsync(db, "ahead", lastDay.From.AddHours(23));
        Assert.Equal(lastDay.Table, await LogEventRows.PartitionOfAsync(db, "ahead"));
    }

    [Fact]
    public async Task An_event_outside_the_prepared_days_is_stored_and_moves_into_its_day_when_that_is_prepared()
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var host = StorageHost.Build(db.ConnectionString);
        var partitions = host.Services.GetRequiredService<LogEventPartitions>();
        var oldDay = LogEventPartition.For(Today.AddDays(-20));

        await LogEventRows.InsertAsync(db, "late", oldDay.From.AddHours(5));
        await LogEventRows.InsertAsync(db, "far-future", LogEventPartition.For(Today.AddDays(400)).From);
        Assert.Equal(LogEventPartition.DefaultTable, await LogEventRows.PartitionOfAsync(db, "late"));
        Assert.Equal(LogEventPartition.DefaultTable, await LogEventRows.PartitionOfAsync(db, "far-future"));

        var created = await partitions.EnsureAsync(oldDay.Day, oldDay.Day);

        Assert.Equal([oldDay], created);
        Assert.Equal(oldDay.Table, await LogEventRows.PartitionOfAsync(db, "late"));
        Assert.Equal(LogEventPartition.DefaultTable, await LogEventRows.PartitionOfAsync(db, "far-future"));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM log_events"));
    }

    [Fact]
    public async Task Retention_drops_whole_days_past_the_window_and_keeps_the_rest()
    {
        await using var db = await SpecDatabase.CreateAsync();
        using var host = StorageHost.Build(db.ConnectionString);
        var partitions = host.Services.GetRequiredService<LogEventPartitions>();
        var expired = LogEventPartition.For(Today.AddDays(-40));
        await partitions.EnsureAsync(expired.Day, expired.Day);
        await LogEventRows.InsertAsync(db, "expired", expired.From.AddHours(1));
        await LogEventRows.InsertAsync(db, "expired-in-default", LogEventPartition.For(Today.AddDays(-50)).From);
        await LogEventRows.InsertAsync(db, "recent", DateTimeOffset.UtcNow);

        var dropped = await partitions.DropBeforeAsync(Today.AddDays(-30));

        Assert.Equal([expired], dropped);
        Assert.DoesNotContain(expired, await partitions.ListAsync());
        Assert.Null(await LogEventRows.PartitionOfAsync(db, "expired"));
        Assert.Null(await LogEventRows.PartitionOfAsync(db, "expired-in-default"));
        Assert.NotNull(await LogEventRows.PartitionOfAsync(db, "recent"));
    }

    [Fact]
    public async Task Several_instances_maintaining_at_once_create_each_day_once()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var hosts = Enumerable.Range(0, 4).Select(_ => StorageHost.Build(db.ConnectionString)).ToList();
        try
        {
            var first = Today.AddDays(30);
            var created = await Task.WhenAll(hosts.Select(h =>
                Task.Run(() => h.Services.GetRequiredService<LogEventPartitions>().EnsureAsync(first, first.AddDays(9)))));

            Assert.Equal(10, created.Sum(c => c.Count));
            Assert.Equal(10, created.SelectMany(c => c).Distinct().Count());
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }
}
