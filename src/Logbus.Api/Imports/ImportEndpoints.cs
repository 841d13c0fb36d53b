using Logbus.Api.Ingest;
using Logbus.ServiceDefaults.Security;
using Logbus.Imports.Http;
using Logbus.Storage.Imports;
using Logbus.Storage.Writing;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Imports;

/// <summary><c>POST /api/imports</c> (a streamed file), beside the status routes shared with Logbus.Query and the Api's cancel.</summary>
internal static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImports(this IEndpointRouteBuilder endpoints)
    {
        var imports = endpoints.MapImportStatus().MapImportCancel();
        imports.MapPost("/", UploadAsync)
            .RequireKeyScope(KeyScopes.Ingest)
            .WithName("StartImport")
            .WithSummary("Import a file of events")
            .WithDescription("The body is the file, streamed (within Imports:MaxUploadBytes, Imports:MaxDecompressedBytes; lines within " +
                "Imports:MaxLineLength): NDJSON (one event per line, the shape POST /api/logs takes; " +
                "Content-Type application/x-ndjson), CLEF (application/vnd.serilog.clef) or CSV with a header row (text/csv: timestamp, level, " +
                "source, message, other columns into metadata); ?format=ndjson|clef|csv overrides the Content-Type. Content-Encoding gzip, br or " +
                "deflate. ?source= names the source of lines without one; ?fileName= is shown in the status. With an Idempotency-Key header a " +
                "retried upload imports once (again, unless the first was received whole). 202 once every chunk of the file is " +
                "acknowledged by Kafka or committed, with the import " +
                "id and its status URL; bad lines do not fail " +
                "the upload, they are counted and reported in the status.")
            .AddEndpointFilter(AcceptedContentTypes.ImportFiles)
            .Produces<ImportAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> UploadAsync(HttpContext context, ImportUpload upload, ImportIdempotency idempotency, ImportAdmission admission,
        ApiKeys keys, IOptions<ImportUploadOptions> options, TimeProvider time, string? format, string? source, string? fileName,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var limits = options.Value;
        if (ImportFormats.Resolve(format, request.ContentType) is not { } importFormat)
        {
            return TypedResults.Problem("Send NDJSON (application/x-ndjson), CLEF (application/vnd.serilog.clef) or CSV (text/csv), or name it " +
                $"with ?format=; '{format ?? request.ContentType}' is not one of them.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported import format");
        }

        if (request.ContentLength > limits.MaxUploadBytes)
        {
            return TooLarge(new ImportLimitExceededException("Imports:MaxUploadBytes", limits.MaxUploadBytes, "the upload limit"), null);
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
        var (slot, refusal) = admission.TryEnter(context, RequestKey.Client(context, identity));
        if (refusal is not null)
        {
            return refusal;
        }

        using (slot)
        {
            return await UploadAdmittedAsync(context, upload, idempotency, identity, limits, importFormat, source, fileName, time.GetUtcNow(),
                cancellationToken);
        }
    }

    private static async Task<IResult> UploadAdmittedAsync(HttpContext context, ImportUpload upload, ImportIdempotency idempotency,
        ApiKeyIdentity? identity, ImportUploadOptions limits, ImportFormat importFormat, string? source, string? fileName, DateTimeOffset undatedAt,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var importId = NewId.NextSequentialGuid();
        var idScope = importId.ToString();
        string? key = null;
        if (request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } header)
        {
            if (header.Length > 200)
            {
                return TypedResults.Problem("The Idempotency-Key may be at most 200 characters.", statusCode: StatusCodes.Status400BadRequest,
                    title: "Invalid Idempotency-Key");
            }

            // One scope per API key (its name, which the key's configuration makes unique); all requests without one share a scope.
            key = idScope = identity is null ? $"-:{header}" : $"key={identity.Name.Length}:{identity.Name}:{header}";
            var claim = await idempotency.ClaimAsync(key, importId, cancellationToken);
            if (!claim.IsNew)
            {
                // The file was received whole already: answer as that upload was answered, and leave the body unread.
                context.Response.Headers["Idempotent-Replayed"] = "true";
                var earlier = claim.Earlier;
                return TypedResults.Accepted(StatusUrl(claim.ImportId), new ImportAccepted(claim.ImportId, StatusUrl(claim.ImportId),
                    earlier?.LinesRead, earlier?.Accepted, earlier?.Rejected, null));
            }

            importId = claim.ImportId;
            undatedAt = claim.UndatedAt;
        }

        // The limits below bound the upload as it streams; Kestrel's own would answer before the import could say which.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        request.Body = new ImportSizeLimitStream(request.Body, limits.MaxUploadBytes, "Imports:MaxUploadBytes", "the upload limit");
        var (decoded, encoding) = RequestBody.Decode(request);
        if (decoded is null)
        {
            return RequestBody.UnsupportedEncoding(encoding).ToProblem();
        }

        var body = new ImportSizeLimitStream(decoded, limits.MaxDecompressedBytes, "Imports:MaxDecompressedBytes", "the decompressed upload limit");
        var summary = new ImportSummary(importId);
        var outcome = ImportUploadStates.Failed;
        try
        {
            summary = await upload.RunAsync(importId, idScope, undatedAt, body, importFormat, fileName,
                source ?? identity?.Source, identity, cancellationToken);
            outcome = summary.Cancelled ? ImportUploadStates.Cancelled : ImportUploadStates.Received;
            return TypedResults.Accepted(StatusUrl(importId),
                new ImportAccepted(importId, StatusUrl(importId), summary.LinesRead, summary.Accepted, summary.Rejected, summary.Cancelled
                    ? ImportStates.Cancelled : null));
        }
        catch (ImportLimitExceededException e)
        {
            return TooLarge(e, importId);
        }
        catch (InvalidDataException e)
        {
            return TypedResults.Problem($"The body is not valid {encoding} data ({e.Message}). Lines read before that were imported; see " +
                $"{StatusUrl(importId)}.",
                statusCode: StatusCodes.Status400BadRequest, title: "The upload could not be decompressed");
        }
        finally
        {
            if (key is not null)
            {
                // Recorded even when the client went away: a retry must know at once that this upload did not finish.
                await RecordAsync(idempotency, key, importId, outcome, summary);
            }

            if (!ReferenceEquals(decoded, request.Body))
            {
                await decoded.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// If PostgreSQL does not take it, the key stays Uploading: a retry then imports again, which is safe, as its lines
    /// are found duplicate.
    /// </summary>
    private static async Task RecordAsync(ImportIdempotency idempotency, string key, Guid importId, string outcome, ImportSummary summary)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await idempotency.RecordAsync(key, importId, outcome, summary, timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The upload's own answer stands; see above.
        }
    }

    private static ProblemHttpResult TooLarge(ImportLimitExceededException e, Guid? importId) =>
        TypedResults.Problem(e.Message + (importId is { } id
                ? $" Lines read before the limit were imported and the import ends Failed; see {StatusUrl(id)}. Split the file, or raise the limit."
                : " Nothing was read. Split the file, or raise the limit."),
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "The upload is too large",
            extensions: new Dictionary<string, object?> { ["limit"] = e.Setting, ["maxBytes"] = e.Limit });

    private static string StatusUrl(Guid id) => $"/api/imports/{id}";

    private static string? FileNameOf(HttpRequest request) =>
        System.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(request.Headers.ContentDisposition.ToString(), out var disposition)
            ? disposition.FileNameStar ?? disposition.FileName?.Trim('"')
            : null;
}
