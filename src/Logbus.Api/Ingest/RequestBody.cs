using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;

namespace Logbus.Api.Ingest;

/// <summary>
/// Reads a request body into memory, decompressing <c>gzip</c>, <c>br</c> or <c>deflate</c>, and stops at the limit
/// counted after decompression (so a small compressed body cannot expand without bound).
/// </summary>
public static class RequestBody
{
    public static async Task<BodyRead> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxBytes;
        }

        var (decoded, encoding) = Decode(request);
        if (decoded is null)
        {
            return UnsupportedEncoding(encoding);
        }

        var buffer = new PooledBodyBuffer((int)Math.Min(request.ContentLength ?? 16 * 1024, Math.Min(maxBytes, 4 * 1024 * 1024)) + 1);
        var handedOver = false;
        try
        {
            while (true)
            {
                // Read into the space already there (a body with its Content-Length fits the first buffer whole); only a
                // full buffer grows. Asking for 64 KB every read made each small request allocate and zero 64 KB, and each
                // large one double its buffer for the final read that finds the end.
                var memory = buffer.GetMemory(buffer.FreeCapacity > 0 ? 1 : 64 * 1024);
                var read = await decoded.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    handedOver = true;
                    return BodyRead.Ok(buffer);
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                {
                    return TooLarge(maxBytes);
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(maxBytes);
        }
        catch (InvalidDataException)
        {
            return BodyRead.Fail(StatusCodes.Status400BadRequest, "The body could not be decompressed", $"The body is not valid {encoding} data.");
        }
        finally
        {
            if (!handedOver)
            {
                buffer.Dispose();
            }

            if (!ReferenceEquals(decoded, request.Body))
            {
                await decoded.DisposeAsync();
            }
        }
    }

    /// <summary>The body as a stream, decompressed per <c>Content-Encoding</c>; null for an encoding not supported.</summary>
    public static (Stream? Body, string Encoding) Decode(HttpRequest request)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        Stream? decoded = encoding switch
        {
            "" or "identity" => request.Body,
            "gzip" or "x-gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "br" => new BrotliStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => null,
        };
        return (decoded, encoding);
    }

    public static BodyRead UnsupportedEncoding(string encoding) =>
        BodyRead.Fail(StatusCodes.Status415UnsupportedMediaType, "Unsupported Content-Encoding",
            $"'{encoding}' is not supported; send the body uncompressed or with gzip, br or deflate.");

    private static BodyRead TooLarge(long maxBytes) =>
        BodyRead.Fail(StatusCodes.Status413PayloadTooLarge, "The request body is too large",
            $"The body may be at most {Size(maxBytes)} (after decompression; Ingest:MaxBodyBytes). " +
                "Split the events into smaller batches, or use POST /api/imports for files.");

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024 * 1024.0):0.#} MB"
        : $"{bytes / 1024.0:0.#} KB";
}

/// <summary>The body, or why it could not be read.</summary>
/// <remarks>A body read whole is in a pooled buffer: <see cref="Release"/> it once nothing refers into <see cref="Body"/>.</remarks>
public readonly record struct BodyRead(int Status, string? Title, string? Detail, PooledBodyBuffer? Buffer = null)
{
    public bool Succeeded => Title is null;

    /// <summary>
    /// The body's bytes; reading them after <see cref="Release"/> throws, rather than reading a pooled array another request
    /// may be filling.
    /// </summary>
    public ReadOnlyMemory<byte> Body => Buffer?.WrittenMemory ?? default;

    public static BodyRead Ok(PooledBodyBuffer buffer) => new(StatusCodes.Status200OK, null, null, buffer);

    public static BodyRead Fail(int status, string title, string detail) => new(status, title, detail);

    /// <summary>Returns the body's buffer to the pool; <see cref="Body"/> must not be read after.</summary>
    public void Release() => Buffer?.Dispose();

    public IResult ToProblem() => TypedResults.Problem(Detail, statusCode: Status, title: Title);
}
