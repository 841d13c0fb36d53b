namespace Logbus.Specs.Outbox.Support;

/// <summary>The business row <see cref="ItemConsumer"/> writes: one per time the consumer ran for an item.</summary>
public sealed class ProcessedItem
{
    public long Id { get; set; }

    public Guid ItemId { get; set; }

    public Guid? MessageId { get; set; }
}
