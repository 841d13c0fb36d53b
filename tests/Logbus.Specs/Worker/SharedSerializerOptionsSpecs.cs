extern alias worker;

using Logbus.Specs.Infrastructure;
using MassTransit.Serialization;
using worker::Logbus.Worker.Messaging;

namespace Logbus.Specs.Worker;

/// <summary>
/// The Worker reads metadata in place through its own endpoint's options: MassTransit's serializer options, which every bus
/// of a process shares (the specs host several Apis and Workers in one), stay as they were.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class SharedSerializerOptionsSpecs
{
    [Fact]
    public async Task A_running_Worker_stores_metadata_as_sent_and_leaves_the_serializer_options_every_bus_shares_as_they_were()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var pipeline = await Pipeline.StartAsync(db, partitions: 1);

        var ids = await pipeline.IngestAsync(20, batchSize: 10, parallel: 2, prefix: "shared-options");
        await pipeline.WaitForStoredAsync(ids.Count, TimeSpan.FromMinutes(1));

        Assert.Equal(20L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM log_events WHERE metadata = jsonb_build_object('i', substring(id from 16)::int)"));
        Assert.DoesNotContain(SystemTextJsonMessageSerializer.Options.Converters, c => c is InPlaceJsonTextConverter);
    }
}
