using Logbus.Messaging.EntityFrameworkCore.BusOutbox;

namespace Logbus.Specs.Outbox;

/// <summary>What a delivery round reads, planned from the listing of the claimed outboxes before any body is read.</summary>
[Trait("Kind", "Unit")]
public sealed class DeliveryPlanSpecs
{
    private static readonly Uri Held = new("topic:log-events");
    private static readonly Uri Free = new("topic:imports");
    private static readonly Guid First = Guid.NewGuid();
    private static readonly Guid Second = Guid.NewGuid();
    private static readonly Guid Third = Guid.NewGuid();

    [Fact]
    public void No_body_of_a_held_destination_is_loaded_and_an_outbox_is_held_from_its_first_message_to_it_on()
    {
        ListedMessage[] listed =
        [
            new(First, 1, Held, 400_000), new(First, 2, Free, 10),
            new(Second, 3, Free, 10), new(Second, 4, Held, 400_000), new(Second, 5, Free, 10),
            new(Third, 6, Free, 10),
        ];

        var plan = DeliveryPlan.For(listed, listedAll: true, IsHeld, maxMessages: 1000, maxBytes: 8 * 1024 * 1024);

        // The Free message after the held one in First waits too: a message never overtakes an earlier one of its outbox.
        Assert.Equal([3L, 6L], plan.ToLoad);
        Assert.Equal(20, plan.Bytes);
        Assert.Equal(new HashSet<Guid> { First, Second }, plan.Held);
        Assert.False(plan.Completes(First));
        Assert.False(plan.Completes(Second));
        Assert.True(plan.Completes(Third));
    }

    [Fact]
    public void The_byte_budget_always_lets_one_message_through_and_the_outboxes_it_cuts_wait_for_the_next_round()
    {
        ListedMessage[] listed = [new(First, 1, Free, 900), new(First, 2, Free, 200), new(Second, 3, Free, 50), new(Third, 4, Held, 10)];

        var plan = DeliveryPlan.For(listed, listedAll: true, IsHeld, maxMessages: 1000, maxBytes: 100);

        Assert.Equal([1L], plan.ToLoad);
        Assert.False(plan.Completes(First));
        Assert.False(plan.Completes(Second));
        // Past the budget, an outbox whose next message is held is still put off rather than claimed again at once.
        Assert.Equal(new HashSet<Guid> { Third }, plan.Held);
    }

    [Fact]
    public void The_message_budget_stops_the_round_and_the_outbox_it_cuts_is_not_complete()
    {
        ListedMessage[] listed = [new(First, 1, Free, 1), new(First, 2, Free, 1), new(Second, 3, Free, 1), new(Second, 4, Free, 1)];

        var plan = DeliveryPlan.For(listed, listedAll: true, IsHeld, maxMessages: 3, maxBytes: 1000);

        Assert.Equal([1L, 2L, 3L], plan.ToLoad);
        Assert.True(plan.Completes(First));
        Assert.False(plan.Completes(Second));
    }

    [Fact]
    public void When_the_listing_stopped_short_its_last_outbox_and_the_unlisted_ones_are_not_complete()
    {
        ListedMessage[] listed = [new(First, 1, Free, 1), new(Second, 2, Free, 1)];

        var plan = DeliveryPlan.For(listed, listedAll: false, IsHeld, maxMessages: 2, maxBytes: 1000);

        Assert.Equal([1L, 2L], plan.ToLoad);
        Assert.True(plan.Completes(First));
        Assert.False(plan.Completes(Second));
        Assert.False(plan.Completes(Third));
        // Listed whole, an outbox with no messages left (they were all sent before) completes.
        Assert.True(DeliveryPlan.For(listed, listedAll: true, IsHeld, 2, 1000).Completes(Third));
    }

    [Fact]
    public void A_message_without_a_destination_is_loaded_so_the_round_can_drop_it()
    {
        var plan = DeliveryPlan.For([new(First, 1, null, 5)], listedAll: true, IsHeld, 10, 1000);

        Assert.Equal([1L], plan.ToLoad);
        Assert.True(plan.Completes(First));
    }

    private static bool IsHeld(Uri destination) => destination == Held;
}
