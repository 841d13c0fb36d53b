namespace Logbus.Specs.Outbox.Support;

/// <summary>Asks <see cref="ItemConsumer"/> to store an item and announce it.</summary>
public sealed record SubmitItem(Guid ItemId, int Publishes = 1, bool FailAfterWork = false, bool FailFirstDelivery = false);
