namespace Logbus.Api.Imports;

/// <summary>
/// Reads through to <paramref name="inner"/> and throws <see cref="ImportLimitExceededException"/> once more than
/// <paramref name="limit"/> bytes came through: the total size of an upload is checked as it streams, before and
/// after decompression, with nothing buffered.
/// </summary>
public sealed class ImportSizeLimitStream(Stream inner, long limit, string setting, string what) : ForwardReadStream
{
    private long _read;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    private int Count(int read)
    {
        _read += read;
        return _read > limit ? throw new ImportLimitExceededException(setting, limit, what) : read;
    }
}
