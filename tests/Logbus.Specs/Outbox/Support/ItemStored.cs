namespace Logbus.Specs.Outbox.Support;

/// <summary>What <see cref="ItemConsumer"/> announces, once per item (or <see cref="SubmitItem.Publishes"/> times).</summary>
public sealed record ItemStored(Guid ItemId, int Index);
