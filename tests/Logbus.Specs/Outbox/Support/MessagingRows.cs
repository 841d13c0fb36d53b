using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Outbox.Support;

/// <summary>Reads the messaging tables and the spec tables straight from the database.</summary>
internal static class MessagingRows
{
    public static Task<long> OutboxMessagesAsync(SpecDatabase db) => db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_message");

    public static Task<long> OutboxStatesAsync(SpecDatabase db) => db.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox_state");

    public static Task<long> InboxRowsAsync(SpecDatabase db) => db.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox_state");

    public static Task<long> ProcessedAsync(SpecDatabase db, Guid itemId) =>
        db.ScalarAsync<long>("SELECT count(*) FROM spec.processed_items WHERE item_id = @id", ("id", itemId));

    /// <summary>Waits until nothing waits in the outbox, then a little longer, so a late duplicate would have arrived too.</summary>
    public static async Task SettledAsync(SpecDatabase db, TimeSpan timeout)
    {
        await Eventually.TrueAsync(async () => await OutboxMessagesAsync(db) == 0 && await OutboxStatesAsync(db) == 0, timeout,
            "the outbox is empty");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
    }
}
