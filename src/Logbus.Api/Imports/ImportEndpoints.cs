using Logbus.Api.Ingest;
using Logbus.Api.Security;
using Logbus.Imports.Http;
using Logbus.Storage.Imports;
using Logbus.Storage.Writing;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;

namespace Logbus.Api.Imports;

/// <summary><c>POST /api/imports</c> (a streamed file), beside the status routes shared with Logbus.Query and the Api's cancel.</summary>
internal static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImports(this IEndpointRouteBuilder endpoints)
    {
        var imports = endpoints.MapImportStatus().MapImportCancel();
        imports.MapPost("/", UploadAsync)
            .AddEndpointFilter<RequireApiKeyFilter>()
            .WithName("StartImport")
            .WithSummary("Import a file of events")
            .WithDescription("The body is the file, streamed, of any size: NDJSON (one event per line, the shape POST /api/logs takes; " +
                "Content-Type application/x-ndjson), CLEF (application/vnd.serilog.clef) or CSV with a header row (text/csv: timestamp, level, " +
                "source, message, other columns into metadata); ?format=ndjson|clef|csv overrides the Content-Type. Content-Encoding gzip, br or " +
                "deflate. ?source= names the source of lines without one; ?fileName= is shown in the status. With an Idempotency-Key header a " +
                "retried upload imports once. 202 once the whole file is committed, with the import id and its status URL; bad lines do not fail " +
                "the upload, they are counted and reported in the status.")
            .Accepts<string>("application/x-ndjson", "application/vnd.serilog.clef", "text/csv")
            .Produces<ImportAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> UploadAsync(HttpContext context, ImportUpload upload, ImportIdempotency idempotency, ApiKeys keys,
        string? format,
        string? source, string? fileName, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (ImportFormats.Resolve(format, request.ContentType) is not { } importFormat)
        {
            return TypedResults.Problem("Send NDJSON (application/x-ndjson), CLEF (application/vnd.serilog.clef) or CSV (text/csv), or name it " +
                $"with ?format=; '{format ?? request.ContentType}' is not one of them.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported import format");
        }

        var (body, encoding) = RequestBody.Decode(request);
        if (body is null)
        {
            return RequestBody.UnsupportedEncoding(encoding).ToProblem();
        }

        // Checked before anything is written: the import saga could not store the name, and the import would never show.
        fileName ??= FileNameOf(request);
        var fileNameProblem = fileName is null ? null
            : fileName.Length > ImportState.MaxFileNameLength ? $"may be at most {ImportState.MaxFileNameLength} characters"
            : StorableValues.ProblemWithText(fileName);
        if (fileNameProblem is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["fileName"] = [$"The file name {fileNameProblem}."] },
                title: "Invalid file name");
        }

        var identity = keys.Identify(context, out _);
        var importId = NewId.NextSequentialGuid();
        var idScope = importId.ToString();
        if (request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key)
        {
            if (key.Length > 200)
            {
                return TypedResults.Problem("The Idempotency-Key may be at most 200 characters.", statusCode: StatusCodes.Status400BadRequest,
                    title: "Invalid Idempotency-Key");
            }

            idScope = $"{identity?.Name ?? "-"}:{key}";
            var (claimed, isNew) = await idempotency.ClaimAsync(idScope, importId, cancellationToken);
            if (!isNew)
            {
                // The same upload again: answer with the first one and leave the body unread.
                context.Response.Headers["Idempotent-Replayed"] = "true";
                return TypedResults.Accepted(StatusUrl(claimed), new ImportAccepted(claimed, StatusUrl(claimed), null, null, null, null));
            }
        }

        // Files have no size limit: they are streamed, never held.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        try
        {
            var summary = await upload.RunAsync(importId, idScope, body, importFormat, fileName, source ?? identity?.Source,
                cancellationToken);
            return TypedResults.Accepted(StatusUrl(importId),
                new ImportAccepted(importId, StatusUrl(importId), summary.LinesRead, summary.Accepted, summary.Rejected, summary.Cancelled
                    ? ImportStates.Cancelled : null));
        }
        catch (InvalidDataException e)
        {
            return TypedResults.Problem($"The body is not valid {encoding} data ({e.Message}). Lines read before that were imported; see " +
                $"{StatusUrl(importId)}.",
                statusCode: StatusCodes.Status400BadRequest, title: "The upload could not be decompressed");
        }
        finally
        {
            if (!ReferenceEquals(body, request.Body))
            {
                await body.DisposeAsync();
            }
        }
    }

    private static string StatusUrl(Guid id) => $"/api/imports/{id}";

    private static string? FileNameOf(HttpRequest request) =>
        System.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(request.Headers.ContentDisposition.ToString(), out var disposition)
            ? disposition.FileNameStar ?? disposition.FileName?.Trim('"')
            : null;
}
