namespace Logbus.Messaging.Kafka.Serialization;

/// <summary>
/// The bytes of the record whose message System.Text.Json is deserializing on this thread straight from those bytes
/// (<see cref="RecordJsonDeserializer"/>), or null. A converter that keeps a value as its text can then refer to the
/// record's bytes (the reader's <c>TokenStartIndex</c> and <c>BytesConsumed</c> are positions in them) instead of copying
/// the value out.
/// </summary>
public static class RecordBeingRead
{
    [ThreadStatic]
    private static byte[]? _bytes;

    public static byte[]? Bytes => _bytes;

    internal static Reading Begin(byte[] record)
    {
        var outer = _bytes;
        _bytes = record;
        return new Reading(outer);
    }

    internal readonly struct Reading(byte[]? outer) : IDisposable
    {
        public void Dispose() => _bytes = outer;
    }
}
