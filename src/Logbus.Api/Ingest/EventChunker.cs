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

    public static List<List<AcceptedLogEvent>> Chunk(IReadOnlyList<AcceptedLogEvent> events, int maxEvents, int maxBytes)
    {
        var chunks = new List<List<AcceptedLogEvent>>();
        var current = new List<AcceptedLogEvent>();
        var bytes = 0L;
        foreach (var e in events)
        {
            var size = SizeOf(e);
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
    public static int SizeOf(AcceptedLogEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, SystemTextJsonMessageSerializer.Options).Length + 1;
}
