using System.Runtime.InteropServices;
using Google.Protobuf;
using Logbus.Api.Ingest.Decoding;
using Logbus.Api.Otlp.Wire;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Otlp;

/// <summary>OTLP/HTTP with <c>Content-Type: application/x-protobuf</c>: one <c>ExportLogsServiceRequest</c>.</summary>
public sealed class OtlpProtobufDecoder(OtlpRecordMapper mapper, IOptions<OtlpOptions> options) : IEventDecoder
{
    public DecodedEvents Decode(ReadOnlyMemory<byte> body, string? keySource) => mapper.Map(Parse(body), keySource);

    /// <summary>
    /// Reads the message after <see cref="ProtobufWireCheck"/> found every known field in its declared wire type and the
    /// nesting within <c>Otlp:MaxNestingDepth</c>; anything else is an undecodable body.
    /// </summary>
    public ExportLogsServiceRequest Parse(ReadOnlyMemory<byte> message)
    {
        var depth = options.Value.MaxNestingDepth;
        ProtobufWireCheck.Check(message.Span, ExportLogsServiceRequest.Descriptor, depth, LogRecord.Descriptor,
            options.Value.MaxRecordsPerRequest);
        var bytes = MemoryMarshal.TryGetArray(message, out var segment) ? segment : new ArraySegment<byte>(message.ToArray());
        try
        {
            var input = CodedInputStream.CreateWithLimits(
                new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false), bytes.Count + 1, depth + 1);
            var request = new ExportLogsServiceRequest();
            request.MergeFrom(input);
            return request;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new UndecodableBodyException($"The body is not an OTLP ExportLogsServiceRequest in protobuf: {e.Message}", e);
        }
    }
}
