using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Outbox.Support;

/// <summary>The spec-only tables, beside the messaging tables that the real migrations created in the spec database.</summary>
internal static class OutboxSpecSchema
{
    public static async Task<SpecDatabase> CreateDatabaseAsync()
    {
        var db = await SpecDatabase.CreateAsync();
        await db.ExecuteAsync("""
            CREATE SCHEMA spec;
            CREATE TABLE spec.processed_items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item_id uuid NOT NULL, message_id uuid);
            CREATE TABLE spec.counter_state (correlation_id uuid PRIMARY KEY, current_state text NOT NULL, count integer NOT NULL);
            """);
        return db;
    }
}
