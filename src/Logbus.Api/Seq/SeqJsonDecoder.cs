using System.Text.Json;
using Logbus.Api.Ingest;
using Logbus.Api.Ingest.Decoding;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Seq;

/// <summary>Seq's classic JSON, <c>{"Events":[…]}</c>. A blank body is an empty batch, as for CLEF.</summary>
public sealed class SeqJsonDecoder(IOptions<IngestOptions> options) : IEventDecoder
{
    private readonly ClefEventReader _reader = new(options.Value);

    public DecodedEvents Decode(ReadOnlyMemory<byte> body, string? keySource)
    {
        if (body.Span.Trim("\r\n\t "u8).IsEmpty)
        {
            return DecodedEvents.Of([]);
        }

        var document = JsonDocument.Parse(body, JsonEventDecoder.DocumentOptions);
        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Events", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                return DecodedEvents.Shape(
                    "Send Seq's JSON format, {\"Events\":[…]}, or CLEF lines with ?clef or Content-Type: application/vnd.serilog.clef.", document);
            }

            var events = new List<(IncomingEvent, string?)>(items.GetArrayLength());
            foreach (var item in items.EnumerateArray())
            {
                var (incoming, source) = item.ValueKind == JsonValueKind.Object
                    ? _reader.ReadClassic(item)
                    : throw new JsonException("an element of Events is not an object");
                events.Add((incoming, SeqSource.Of(source, keySource, options.Value)));
            }

            return DecodedEvents.Of(events, document);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }
}
