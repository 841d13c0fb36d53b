using System.Buffers;
using System.Text;
using System.Text.Json;
using Logbus.Query.Filtering;
using Logbus.Query.Search;
using Logbus.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Export;

internal static class ExportEndpoints
{
    public static RouteGroupBuilder MapExport(this RouteGroupBuilder group)
    {
        group.MapGet("/export", ExportAsync)
            .WithName("ExportLogs")
            .WithSummary("Export every matching event (NDJSON or CSV)")
            .WithDescription("Streams every event in [from, to) matching the filters, in the search's order, with no page cap: one JSON " +
                "object per line (as search items) or CSV with a header row. Filters as for search.")
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
            .ProducesValidationProblem();
        return group;
    }

    private static async Task ExportAsync(HttpContext context, LogExporter exporter, IOptions<JsonOptions> json,
        IOptions<FilterOptions> filterLimits, TimeProvider time, CancellationToken cancellationToken)
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
        using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = json.Value.SerializerOptions.Encoder });
        var filter = search.Filter with { SourceGlobs = RequestKey.SourceGlobs(context) };
        await foreach (var page in exporter.PagesAsync(filter, search.Order, cancellationToken))
        {
            foreach (var e in page)
            {
                if (format == "csv")
                {
                    CsvLine.Append(line.Clear(), e);
                    Encoding.UTF8.GetBytes(line.ToString(), body);
                }
                else
                {
                    JsonSerializer.Serialize(writer, e, json.Value.SerializerOptions);
                    writer.Flush();
                    writer.Reset();
                    body.Write("\n"u8);
                }
            }

            // One page at a time goes out; the pipe holds back the next page while the client is slower than PostgreSQL.
            await body.FlushAsync(cancellationToken);
        }
    }
}
