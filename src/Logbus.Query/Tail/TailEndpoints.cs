using System.Globalization;
using System.Text;
using System.Text.Json;
using Logbus.Query.Filtering;
using Logbus.Query.Search;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Tail;

internal static class TailEndpoints
{
    // A tail usually stays open for minutes: a client over the cap has no reason to come back within the second.
    private const int RetryAfterSeconds = 10;

    public static RouteGroupBuilder MapTail(this RouteGroupBuilder group)
    {
        group.MapGet("/tail", FollowAsync)
            .WithName("TailLogs")
            .WithSummary("Live tail (server-sent events)")
            .WithDescription("A text/event-stream of new events matching the filters, as 'log' events (JSON, as in search results), with an " +
                "'overflow' event when more arrived than could be shown. Filters as for search, without time window and paging.")
            .DocumentQuery(
                ("level", "Levels (repeat or comma-separate)."),
                ("minLevel", "This level and more severe."),
                ("source", "Sources (repeat or comma-separate)."),
                ("q", "Text in the message."),
                ("meta.<key>", "Metadata value at a path."),
                ("traceId", "W3C trace id."),
                ("filter", FilterDocs.Parameter))
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    private static async Task FollowAsync(HttpContext context, LiveTail tail, TailConnections connections, IOptions<JsonOptions> json,
        IOptions<FilterOptions> filterLimits, TimeProvider time, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var errors = new QueryErrors();
        var filter = new LogSearchFilter(
            DateTimeOffset.MinValue,
            DateTimeOffset.MaxValue,
            OpenEnded: true,
            QueryParameters.Levels(query, "level", "minLevel", errors),
            QueryParameters.Sources(query, "source"),
            QueryParameters.Single(query, "q"),
            QueryParameters.Metadata(query, errors),
            QueryParameters.Single(query, "traceId"),
            QueryParameters.Filter(query, filterLimits.Value, errors))
        {
            SourceGlobs = RequestKey.SourceGlobs(context),
        };
        if (errors.Any)
        {
            await TypedResults.ValidationProblem(errors.ToDictionary(), title: "The tail parameters are not valid.").ExecuteAsync(context);
            return;
        }

        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var (lease, capReached) = connections.TryOpen(client);
        if (lease is null)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                $"Too many live tails are open ({capReached}); close one, or retry after {RetryAfterSeconds} s.",
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many live tails").ExecuteAsync(context);
            return;
        }

        using (lease)
        {
            await StreamAsync(context, tail, filter, json, time, cancellationToken);
        }
    }

    private static async Task StreamAsync(HttpContext context, LiveTail tail, LogSearchFilter filter, IOptions<JsonOptions> json,
        TimeProvider time, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        // Tell reverse proxies not to buffer the stream.
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var stream = new EventStream(context.Response, json.Value.SerializerOptions);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = Task.CompletedTask;
        try
        {
            await foreach (var update in tail.FollowAsync(filter, stop.Token))
            {
                if (update.Started)
                {
                    // Said only once the tail knows where "now" is: every event stored after this line is shown.
                    await stream.CommentAsync("live tail started", stop.Token);
                    heartbeat = HeartbeatAsync(stream, tail.Options.Heartbeat, time, stop.Token);
                    continue;
                }

                foreach (var e in update.Events)
                {
                    await stream.EventAsync("log", e, stop.Token);
                }

                if (update.Overflowed)
                {
                    var message = $"More than {tail.Options.MaxEventsPerPoll} new events arrived since the last update; "
                        + "only the newest are shown. Narrow the filters to see them all.";
                    await stream.EventAsync("overflow", new { message }, stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            await stop.CancelAsync();
            await heartbeat;
        }
    }

    private static async Task HeartbeatAsync(EventStream stream, TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await stream.CommentAsync("heartbeat", cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The tail ended.
        }
    }

    /// <summary>Writes server-sent events; one writer at a time, since the heartbeat and the tail share the stream.</summary>
    private sealed class EventStream(HttpResponse response, JsonSerializerOptions options)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public Task CommentAsync(string text, CancellationToken cancellationToken) => WriteAsync($": {text}\n\n", cancellationToken);

        public Task EventAsync<T>(string name, T data, CancellationToken cancellationToken) =>
            WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, options)}\n\n", cancellationToken);

        private async Task WriteAsync(string text, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await response.WriteAsync(text, Encoding.UTF8, cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
