using System.Buffers;
using System.Text.Json;
using Logbus.Contracts;
using MassTransit.Serialization;

namespace Logbus.Api.Ingest;

/// <summary>
/// Cuts accepted events into chunks of at most <see cref="IngestOptions.ChunkMaxEvents"/> events and at most
/// <see cref="IngestOptions.ChunkMaxBytes"/> bytes of events as the outbox serializes them for Kafka, in order: one
/// outbox message and one Kafka record each.
/// </summary>
/// <remarks>
/// Events are measured by serializing them with the very options MassTransit's JSON serializers use (compact, see
/// <c>ApiMessaging</c>), so escapes, nesting and field names count as produced. What a chunk adds around its events (ids,
/// brackets) is covered by <see cref="ChunkEnvelopeBytes"/>, which the start-up check leaves room for.
/// </remarks>
public static class EventChunker
{
    /// <summary>Room for what a chunk's record holds beside its events: the chunk's fields, headers and the key.</summary>
    public const int ChunkEnvelopeBytes = 16 * 1024;

    /// <param name="sizes">Each event's <see cref="SizeOf"/> when the caller measured them already; null to measure here.</param>
    public static List<List<AcceptedLogEvent>> Chunk(IReadOnlyList<AcceptedLogEvent> events, int maxEvents, int maxBytes,
        IReadOnlyList<int>? sizes = null)
    {
        if (sizes is not null && sizes.Count != events.Count)
        {
            throw new ArgumentException($"{sizes.Count} sizes for {events.Count} events.", nameof(sizes));
        }

        var chunks = new List<List<AcceptedLogEvent>>();
        var current = new List<AcceptedLogEvent>();
        var bytes = 0L;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var size = sizes?[i] ?? SizeOf(e);
            if (StartsNewChunk(current.Count, bytes, size, maxEvents, maxBytes))
            {
                chunks.Add(current);
                current = [];
                bytes = 0;
            }

            current.Add(e);
            bytes += size;
        }

        if (current.Count > 0)
        {
            chunks.Add(current);
        }

        return chunks;
    }

    /// <summary>Whether an event of <paramref name="size"/> bytes goes into a new chunk after one holding these.</summary>
    public static bool StartsNewChunk(int count, long bytes, int size, int maxEvents, int maxBytes) =>
        count > 0 && (count >= maxEvents || bytes + size > maxBytes);

    /// <summary>The bytes an event takes in a produced chunk: its JSON as the serializer writes it, and a separating comma.</summary>
    /// <remarks>
    /// The JSON is written into a per-thread scratch buffer that only counts: measuring a batch of 1,000 events allocated
    /// a byte array per event (about 400 B each) that nothing read.
    /// </remarks>
    public static int SizeOf(AcceptedLogEvent e)
    {
        var meter = SizeMeter.ForThisThread;
        try
        {
            JsonSerializer.Serialize(meter.Writer, e, SystemTextJsonMessageSerializer.Options);
            return checked((int)(meter.Writer.BytesCommitted + meter.Writer.BytesPending)) + 1;
        }
        finally
        {
            meter.Reset();
        }
    }

    /// <summary>A JSON writer over a buffer that discards what is written and keeps no more than a small scratch array.</summary>
    private sealed class SizeMeter : IBufferWriter<byte>
    {
        private const int OwnScratchBytes = 4096;

        [ThreadStatic]
        private static SizeMeter? _forThisThread;

        private readonly byte[] _ownScratch = new byte[OwnScratchBytes];
        private readonly JsonSerializerOptions _options;
        private byte[]? _rented;

        private SizeMeter(JsonSerializerOptions options)
        {
            _options = options;
            // A writer given to the serializer writes with its own options, not the serializer's: the same escaping and
            // indentation the produced record gets.
            Writer = new Utf8JsonWriter(this, new JsonWriterOptions
            {
                Encoder = options.Encoder, Indented = options.WriteIndented, MaxDepth = options.MaxDepth, SkipValidation = true,
            });
        }

        /// <summary>This thread's meter, made again if the serializer's options were replaced since (the bus sets them).</summary>
        public static SizeMeter ForThisThread =>
            _forThisThread is { } meter && ReferenceEquals(meter._options, SystemTextJsonMessageSerializer.Options)
                ? meter
                : _forThisThread = new SizeMeter(SystemTextJsonMessageSerializer.Options);

        public Utf8JsonWriter Writer { get; }

        public void Advance(int count)
        {
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

        public void Reset()
        {
            Writer.Reset(this);
            if (_rented is { } rented)
            {
                _rented = null;
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        /// <summary>
        /// The writer asks for up to three bytes a character of a long string: past the own 4 kB, a pooled array (a new
        /// one for every long message would be a large-object-heap array each).
        /// </summary>
        private byte[] Scratch(int sizeHint)
        {
            if (sizeHint <= OwnScratchBytes && _rented is null)
            {
                return _ownScratch;
            }

            if (_rented is null || _rented.Length < sizeHint)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, OwnScratchBytes * 2));
                if (_rented is { } smaller)
                {
                    ArrayPool<byte>.Shared.Return(smaller);
                }

                _rented = larger;
            }

            return _rented;
        }
    }
}
