using System.Buffers;

namespace Logbus.Api.Ingest;

/// <summary>
/// A request body's bytes (or the JSON a decoder writes from them) in an array rented from the shared pool, returned when
/// the request no longer needs them. A batch's body is a few hundred kB: a new array each request landed in the large
/// object heap, which only a gen2 collection frees, and under batch load those collections came about twice a second.
/// </summary>
public sealed class PooledBodyBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[]? _array;
    private int _written;

    public PooledBodyBuffer(int initialCapacity)
    {
        _array = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 1));
    }

    public ReadOnlyMemory<byte> WrittenMemory => Array.AsMemory(0, _written);

    public int WrittenCount => _written;

    public int FreeCapacity => Array.Length - _written;

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBodyBuffer));

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, FreeCapacity);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Array.AsSpan(_written);
    }

    /// <summary>Returns the array to the pool; whatever still refers into <see cref="WrittenMemory"/> must be done with it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (FreeCapacity >= needed)
        {
            return;
        }

        // Doubling in long arithmetic, capped at the largest array: a body limit set past 1 GiB must not overflow here.
        var size = Math.Min(Math.Max(2L * Array.Length, (long)_written + needed), System.Array.MaxLength);
        var larger = ArrayPool<byte>.Shared.Rent((int)size);
        Array.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(Array);
        _array = larger;
    }
}
