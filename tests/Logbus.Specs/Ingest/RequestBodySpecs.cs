extern alias api;

using System.Text;
using api::Logbus.Api.Ingest;
using Microsoft.AspNetCore.Http;

namespace Logbus.Specs.Ingest;

/// <summary>
/// What reading a request body costs in memory: a body is read into one pooled buffer of about its size, reused once
/// released. Every single-event
/// request allocated and zeroed 64 KB, and every large batch doubled its buffer at the end (a 400 KB batch cost 1.2 MB of
/// large-object heap), which showed as CPU in memset and as the Api's resident memory under load.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class RequestBodySpecs
{
    [Theory]
    [InlineData(400)]
    [InlineData(16 * 1024)]
    [InlineData(400 * 1024)]
    [InlineData(3 * 1024 * 1024)]
    public async Task A_body_with_its_content_length_is_read_into_one_buffer_not_grown_at_the_end(int size)
    {
        var body = Encoding.UTF8.GetBytes(new string('x', size));
        var request = Request(body, contentLength: body.Length);
        // The first read in the process also initializes the types it touches (12 kB once seen, when this case ran first);
        // that is no request's cost.
        await RequestBody.ReadAsync(Request([1], contentLength: 1), maxBytes: 10, CancellationToken.None);

        // A MemoryStream completes every read at once, so the whole read runs on this thread and its allocations count here.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = await RequestBody.ReadAsync(request, maxBytes: 10 * 1024 * 1024, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(read.Succeeded);
        Assert.Equal(body, read.Body.ToArray());
        // At most one array from the pool (sizes are powers of two, so up to twice the body), never a second one grown
        // for the read that finds the end (which would be three times).
        Assert.True(allocated < (2 * size) + (8 * 1024), $"reading {size:N0} bytes allocated {allocated:N0} bytes");
    }

    [Fact]
    public async Task A_body_without_a_content_length_is_still_read_whole_and_bounded()
    {
        var body = Encoding.UTF8.GetBytes(new string('y', 300 * 1024));

        var read = await RequestBody.ReadAsync(Request(body, contentLength: null), maxBytes: 10 * 1024 * 1024, CancellationToken.None);
        var tooLarge = await RequestBody.ReadAsync(Request(body, contentLength: null), maxBytes: 100 * 1024, CancellationToken.None);

        Assert.Equal(body, read.Body.ToArray());
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, tooLarge.Status);
    }

    [Theory]
    [InlineData(400 * 1024)]
    [InlineData(3 * 1024 * 1024)]
    public async Task A_released_body_buffer_is_reused_by_the_next_request_instead_of_allocated_again(int size)
    {
        var body = Encoding.UTF8.GetBytes(new string('z', size));
        var first = await RequestBody.ReadAsync(Request(body, contentLength: body.Length), maxBytes: 10 * 1024 * 1024, CancellationToken.None);
        first.Release();
        first.Release();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var second = await RequestBody.ReadAsync(Request(body, contentLength: body.Length), maxBytes: 10 * 1024 * 1024, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(body, second.Body.ToArray());
        // An array of the body's size would be at least `size` bytes; what is left is the read's own small objects.
        Assert.True(allocated < 8 * 1024, $"reading {size:N0} bytes again allocated {allocated:N0} bytes");
        second.Release();
        Assert.Throws<ObjectDisposedException>(() => second.Buffer!.WrittenMemory);
    }

    [Fact]
    public async Task A_body_that_outgrows_its_first_buffer_keeps_every_byte_it_read()
    {
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100_000).Select(i => (char)('a' + (i % 26)))));

        // No Content-Length: the first buffer is 16 kB and grows while the body is read.
        var read = await RequestBody.ReadAsync(Request(body, contentLength: null), maxBytes: 10 * 1024 * 1024, CancellationToken.None);

        Assert.Equal(body, read.Body.ToArray());
        read.Release();
    }

    private static HttpRequest Request(byte[] body, long? contentLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Request.ContentLength = contentLength;
        return context.Request;
    }
}
