using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Storage;

/// <summary>The outbox's bodies (chunks of up to a megabyte while the broker is held or away) are compressed with lz4.</summary>
[Trait("Kind", "Integration")]
public sealed class OutboxCompressionSpecs
{
    [Fact]
    public async Task A_large_outbox_body_written_after_the_migrations_is_compressed_with_lz4_and_reads_back_whole()
    {
        await using var db = await SpecDatabase.CreateAsync();
        var body = string.Join(',', Enumerable.Range(0, 5_000).Select(i => $$"""{"id":"e-{{i}}","message":"User {{i % 97}} logged in"}"""));
        await db.ExecuteAsync($"""
            INSERT INTO messaging.outbox_message (sequence_number, message_id, sent_time, content_type, message_type, body)
            VALUES (1, '{Guid.NewGuid()}', now(), 'application/json', 'urn:message:Spec', '{body}');
            INSERT INTO messaging.outbox_parked (sequence_number, message_id, sent_time, content_type, message_type, body, reason, error, parked)
            SELECT sequence_number, message_id, sent_time, content_type, message_type, body || ' ', 'spec', 'spec', now()
            FROM messaging.outbox_message
            """);

        Assert.Equal("lz4", await db.ScalarAsync<string>("SELECT pg_column_compression(body) FROM messaging.outbox_message"));
        Assert.Equal("lz4", await db.ScalarAsync<string>("SELECT pg_column_compression(body) FROM messaging.outbox_parked"));
        Assert.Equal(body, await db.ScalarAsync<string>("SELECT body FROM messaging.outbox_message"));
    }
}
