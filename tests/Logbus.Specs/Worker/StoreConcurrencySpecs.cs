extern alias worker;

using System.Reflection;
using Logbus.Specs.Infrastructure;
using Logbus.Messaging.EntityFrameworkCore.Inbox;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using worker::Logbus.Worker.Storing;

namespace Logbus.Specs.Worker;

[Trait("Kind", "Unit")]
public sealed class StoreConcurrencySpecs
{
    [Fact]
    public async Task No_more_store_attempts_run_at_once_than_the_limit_whatever_the_number_of_lanes_sending()
    {
        var filter = Filter(2);
        var running = 0;
        var entered = 0;
        var mostAtOnce = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = Pipe.ExecuteAsync<ConsumeContext>(async _ =>
        {
            var now = Interlocked.Increment(ref running);
            Interlocked.Increment(ref entered);
            InterlockedMax(ref mostAtOnce, now);
            await release.Task;
            Interlocked.Decrement(ref running);
        });

        // Twelve lanes, one per partition, each with a record to store.
        var sends = Enumerable.Range(0, 12).Select(_ => Task.Run(() => filter.Send(Context(), next))).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref entered) == 2), TimeSpan.FromSeconds(10), "two attempts started");
        // The others stay waiting while the two run, however long that is.
        await Task.Delay(200);
        Assert.Equal(2, Volatile.Read(ref entered));

        release.SetResult();
        await Task.WhenAll(sends);
        Assert.Equal(12, entered);
        Assert.Equal(2, mostAtOnce);
    }

    [Fact]
    public async Task A_failed_attempt_gives_its_slot_back()
    {
        var filter = Filter(1);
        var failing = Pipe.ExecuteAsync<ConsumeContext>(_ => throw new InvalidOperationException("refused"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => filter.Send(Context(), failing));

        var ran = false;
        await filter.Send(Context(), Pipe.ExecuteAsync<ConsumeContext>(_ =>
        {
            ran = true;
            return Task.CompletedTask;
        })).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ran);
    }

    /// <summary>
    /// The filter with a store it never reaches: the contexts here carry no readable message, so every record takes the
    /// per-record way through a slot.
    /// </summary>
    private static MergingStoreFilter Filter(int slots) =>
        new(new StoringOptions { StoreConcurrency = slots },
            new MergedStore(NpgsqlDataSource.Create("Host=unused"), "inbox_state", true, null, NullLogger.Instance, TimeProvider.System),
            new InboxMessageIdProvider(), new Uri("topic:log-imports"), NullLogger.Instance);

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>A consume context that answers only what the filter asks of it: the cancellation token.</summary>
    private static ConsumeContext Context() => DispatchProxy.Create<ConsumeContext, ContextProxy>();

    public class ContextProxy : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_CancellationToken" ? CancellationToken.None
            : targetMethod?.ReturnType is { IsValueType: true } type && type != typeof(void) ? Activator.CreateInstance(type) : null;
    }
}
