extern alias api;

using System.Collections.Concurrent;
using api::Logbus.Api.Ingest;
using Logbus.Contracts;
using Logbus.ServiceDefaults.Resilience;
using Microsoft.AspNetCore.Http;

namespace Logbus.Specs.Isolation;

/// <summary>The group commit's failure isolation: logic only, the commit itself is a function the spec gives it.</summary>
[Trait("Kind", "Unit")]
public sealed class GroupCommitterSpecs
{
    [Fact]
    public async Task An_event_that_fails_its_group_gets_a_400_alone_and_every_other_request_of_the_group_commits()
    {
        var committed = new ConcurrentBag<string>();
        var groups = new ConcurrentQueue<IReadOnlyList<string>>();
        var firstTaken = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await using var committer = new GroupCommitter(async (events, _) =>
        {
            groups.Enqueue([.. events.Select(e => e.Id)]);
            firstTaken.TrySetResult();
            await release.Task;
            if (events.Any(e => e.Id == "bad"))
            {
                // What System.Text.Json throws when the outbox serializes a lone surrogate.
                throw new ArgumentException("Cannot encode invalid UTF-16 text as JSON. Invalid surrogate value: '0xD800'.");
            }

            foreach (var e in events)
            {
                committed.Add(e.Id);
            }
        }, writers: 1, maxGroup: 100, queueCapacity: 100);

        // The first request holds the writer, so the next eleven queue up and are committed as one group.
        var first = committer.CommitAsync(Event("first"), CancellationToken.None);
        await firstTaken.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var good = Enumerable.Range(0, 10).Select(i => committer.CommitAsync(Event($"good-{i}"), CancellationToken.None)).ToList();
        var bad = committer.CommitAsync(Event("bad"), CancellationToken.None);
        release.SetResult();

        await first;
        await Task.WhenAll(good);
        var refusal = await Assert.ThrowsAsync<BadHttpRequestException>(() => bad);
        Assert.Equal(StatusCodes.Status400BadRequest, refusal.StatusCode);
        Assert.Contains("UTF-16", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(["first", .. Enumerable.Range(0, 10).Select(i => $"good-{i}")], committed.Order(StringComparer.Ordinal));
        Assert.Contains(groups, g => g.Count == 11 && g.Contains("bad"));
    }

    [Fact]
    public async Task An_outage_fails_the_whole_group_at_once_as_unavailable_without_committing_its_requests_one_by_one()
    {
        var calls = 0;
        var firstTaken = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await using var committer = new GroupCommitter(async (_, _) =>
        {
            Interlocked.Increment(ref calls);
            firstTaken.TrySetResult();
            await release.Task;
            throw new DependencyUnavailableException("PostgreSQL", TimeSpan.FromSeconds(5));
        }, writers: 1, maxGroup: 100, queueCapacity: 100);

        var first = committer.CommitAsync(Event("first"), CancellationToken.None);
        await firstTaken.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var group = Enumerable.Range(0, 10).Select(i => committer.CommitAsync(Event($"e-{i}"), CancellationToken.None)).ToList();
        release.SetResult();

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => first);
        foreach (var request in group)
        {
            await Assert.ThrowsAsync<DependencyUnavailableException>(() => request);
        }

        Assert.Equal(2, calls);
    }

    private static AcceptedLogEvent Event(string id) =>
        new(id, DateTimeOffset.UnixEpoch, "INFO", "text", "group-commit-spec", null, null, null, null, DateTimeOffset.UnixEpoch);
}
