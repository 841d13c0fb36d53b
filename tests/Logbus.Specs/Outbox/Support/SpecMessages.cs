namespace Logbus.Specs.Outbox.Support;

/// <summary>Asks <see cref="ItemConsumer"/> to store an item and announce it.</summary>
public sealed record SubmitItem(Guid ItemId, int Publishes = 1, bool FailAfterWork = false, bool FailFirstDelivery = false);

/// <summary>What <see cref="ItemConsumer"/> announces, once per item (or <see cref="SubmitItem.Publishes"/> times).</summary>
public sealed record ItemStored(Guid ItemId, int Index);

/// <summary>A message a web-style request publishes through the bus outbox.</summary>
public sealed record RequestAccepted(Guid RequestId, int Index);

/// <summary>Counts one step on the counter saga <see cref="CounterState"/>.</summary>
public sealed record CounterStepped(Guid CounterId);
