using System.Text.Json;
using Logbus.Api.Ingest;
using Logbus.Api.Ingest.Decoding;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Seq;

/// <summary>
/// CLEF, one JSON object per line. An event's source is the one its properties name, else the API key's, else
/// <c>Ingest:DefaultClefSource</c>. A body of only blank lines is an empty batch: Seq clients probe with one.
/// </summary>
public sealed class ClefDecoder(IOptions<IngestOptions> options) : IEventDecoder
{
    private readonly ClefEventReader _reader = new(options.Value);

    public DecodedEvents Decode(ReadOnlyMemory<byte> body, string? keySource)
    {
        if (body.Span.Trim("\r\n\t "u8).IsEmpty)
        {
            return DecodedEvents.Of([]);
        }

        var events = new List<(IncomingEvent, string?)>();
        var documents = new List<JsonDocument>();
        try
        {
            var span = body.Span;
            var line = 0;
            while (!span.IsEmpty)
            {
                var end = span.IndexOf((byte)'\n');
                var text = end < 0 ? span : span[..end];
                span = end < 0 ? [] : span[(end + 1)..];
                line++;
                if (text.Trim((byte)'\r').Trim((byte)' ').IsEmpty)
                {
                    continue;
                }

                try
                {
                    var document = JsonDocument.Parse(text.ToArray(), JsonEventDecoder.DocumentOptions);
                    documents.Add(document);
                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        throw new JsonException("it is not a JSON object");
                    }

                    var (incoming, source) = _reader.ReadClef(document.RootElement);
                    events.Add((incoming, SeqSource.Of(source, keySource, options.Value)));
                }
                catch (JsonException e)
                {
                    throw new JsonException($"CLEF line {line}: {e.Message}", e);
                }
            }

            return DecodedEvents.Of(events, documents);
        }
        catch
        {
            documents.ForEach(d => d.Dispose());
            throw;
        }
    }
}
