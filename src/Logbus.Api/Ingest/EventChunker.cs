using System.Text;
using Logbus.Contracts;

namespace Logbus.Api.Ingest;

/// <summary>
/// Cuts accepted events into chunks of at most <see cref="IngestOptions.ChunkMaxEvents"/> events and about
/// <see cref="IngestOptions.ChunkMaxBytes"/> bytes, in order: one outbox message and one Kafka record each.
/// </summary>
public static class EventChunker
{
    // Field names, quotes and the fixed-size fields of an event as JSON.
    private const int PerEventOverhead = 200;

    public static List<List<AcceptedLogEvent>> Chunk(IReadOnlyList<AcceptedLogEvent> events, int maxEvents, int maxBytes)
    {
        var chunks = new List<List<AcceptedLogEvent>>();
        var current = new List<AcceptedLogEvent>();
        var bytes = 0;
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
    public static bool StartsNewChunk(int count, int bytes, int size, int maxEvents, int maxBytes) =>
        count > 0 && (count >= maxEvents || bytes + size > maxBytes);

    public static int SizeOf(AcceptedLogEvent e) =>
        PerEventOverhead
        + e.Id.Length
        + Encoding.UTF8.GetByteCount(e.Message)
        + Encoding.UTF8.GetByteCount(e.Source)
        + (e.Metadata is { } metadata ? Encoding.UTF8.GetByteCount(metadata.GetRawText()) : 0)
        + (e.Exception is { } exception ? Encoding.UTF8.GetByteCount(exception) : 0);
}
