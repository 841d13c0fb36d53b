using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Logbus.Query.Filtering;
using Logbus.Query.Search;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Export;

internal static partial class ExportEndpoints
{
    // An export usually streams for a while: a client over the cap has no reason to come back within the second.
    private const int RetryAfterSeconds = 10;

    public static RouteGroupBuilder MapExport(this RouteGroupBuilder group)
    {
        group.MapGet("/export", ExportAsync)
            .WithName("ExportLogs")
            .WithSummary("Export every matching event (NDJSON or CSV)")
            .WithDescription("Streams every event in [from, to) matching the filters, in the search's order, with no page cap: one JSON " +
                "object per line (as search items) or CSV with a header row. Filters as for search. A response cut short (a page " +
                "failed after Export:PageAttempts tries) is aborted, not ended: the client sees a transfer error, never a short file " +
                "that looks whole.")
            .DocumentQuery(
                ("filter", FilterDocs.Parameter),
                ("from", "Start, inclusive (ISO-8601; no offset means UTC). Default: 24 h before 'to'."),
                ("to", "End, exclusive. Default: now."),
                ("format", "ndjson (default) or csv."),
                ("level", "Levels (repeat or comma-separate)."),
                ("source", "Sources (repeat or comma-separate)."),
                ("q", "Text in the message."),
                ("order", "desc (newest first, default) or asc."))
            .Produces(StatusCodes.Status200OK, responseType: null, contentType: "application/x-ndjson", "text/csv")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static async Task ExportAsync(HttpContext context, LogExporter exporter, ExportStreams streams, IOptions<ExportOptions> options,
        IOptions<JsonOptions> json, IOptions<FilterOptions> filterLimits, TimeProvider time, ILogger<LogExporter> logger,
        CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var search = LogSearchRequest.Parse(context.Request.Query, time.GetUtcNow(), errors, filterLimits.Value);
        var format = QueryParameters.Single(context.Request.Query, "format")?.ToLowerInvariant() ?? "ndjson";
        if (format is not ("ndjson" or "csv"))
        {
            errors.Add("format", $"'{format}' is not an export format: use ndjson or csv.");
        }

        if (search.After is not null)
        {
            errors.Add("cursor", "An export has no pages: leave out the cursor.");
        }

        if (errors.Any)
        {
            await TypedResults.ValidationProblem(errors.ToDictionary(), title: "The export parameters are not valid.").ExecuteAsync(context);
            return;
        }

        var (lease, setting, cap) = streams.TryOpen(RequestKey.Client(context, RequestKey.Of(context)));
        if (lease is null)
        {
            ExportMetrics.Refusals.Add(1, cap!);
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                $"Too many exports are streaming ({setting}); let one finish, or retry after {RetryAfterSeconds} s.",
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many exports").ExecuteAsync(context);
            return;
        }

        using (lease)
        {
            var filter = search.Filter with { SourceGlobs = RequestKey.SourceGlobs(context) };
            await StreamAsync(context, exporter.PagesAsync(filter, search.Order, cancellationToken), format, options.Value, json.Value, logger,
                cancellationToken);
        }
    }

    private static async Task StreamAsync(HttpContext context, IAsyncEnumerable<IReadOnlyList<LogEventView>> pages, string format,
        ExportOptions options, JsonOptions json, ILogger logger, CancellationToken cancellationToken)
    {
        await using var page = pages.GetAsyncEnumerator(cancellationToken);
        // The first page before the first byte: should it fail, the answer is still an ordinary 503 with Retry-After.
        var more = await page.MoveNextAsync();

        var response = context.Response;
        response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"logbus-export.{format}\"";
        response.Headers.CacheControl = "no-store";
        var body = response.BodyWriter;
        var line = new StringBuilder();
        if (format == "csv")
        {
            Encoding.UTF8.GetBytes(CsvLine.Header, body);
        }

        // The serializer options' encoder, as every other JSON answer of the service uses: the writer's own options decide.
        using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = json.SerializerOptions.Encoder });
        long rows = 0;
        while (more)
        {
            foreach (var e in page.Current)
            {
                if (format == "csv")
                {
                    CsvLine.Append(line.Clear(), e, options.CsvEscapeFormulas);
                    Encoding.UTF8.GetBytes(line.ToString(), body);
                }
                else
                {
                    JsonSerializer.Serialize(writer, e, json.SerializerOptions);
                    writer.Flush();
                    writer.Reset();
                    body.Write("\n"u8);
                }
            }

            rows += page.Current.Count;
            // One page at a time goes out; the pipe holds back the next page while the client is slower than PostgreSQL.
            await body.FlushAsync(cancellationToken);
            try
            {
                more = await page.MoveNextAsync();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // The status line went out long ago. Ending the body normally would hand the client a short file that looks
                // whole; aborting leaves HTTP/1.1's chunked body without its last chunk (HTTP/2: a stream reset), which every
                // client reports as an error (curl exits 18, HttpClient throws).
                ExportMetrics.Cut.Add(1);
                LogCut(logger, rows, e);
                context.Abort();
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Export cut after {Rows} events: a page failed Export:PageAttempts times; the response "
        + "was aborted so the client sees it incomplete")]
    private static partial void LogCut(ILogger logger, long rows, Exception exception);
}
