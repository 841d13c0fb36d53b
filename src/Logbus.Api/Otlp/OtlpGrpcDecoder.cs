using System.Buffers.Binary;
using System.IO.Compression;
using Logbus.Api.Ingest.Decoding;

namespace Logbus.Api.Otlp;

/// <summary>
/// The request of a unary gRPC call: one length-prefixed message (a compressed flag, four bytes of length, the
/// message), compressed with the call's <c>grpc-encoding</c> when the flag says so, then read as OTLP protobuf.
/// </summary>
public sealed class OtlpGrpcDecoder(OtlpProtobufDecoder protobuf, string? encoding, long maxBytes) : IEventDecoder
{
    public DecodedEvents Decode(ReadOnlyMemory<byte> body, string? keySource)
    {
        if (body.Length < 5)
        {
            throw new UndecodableBodyException("The gRPC request holds no length-prefixed message.");
        }

        var compressed = body.Span[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(body.Span[1..5]);
        if (compressed > 1 || length != body.Length - 5)
        {
            throw new UndecodableBodyException("The gRPC request must be exactly one length-prefixed message.");
        }

        var message = body[5..];
        return protobuf.Decode(compressed == 1 ? Decompress(message) : message, keySource);
    }

    private ReadOnlyMemory<byte> Decompress(ReadOnlyMemory<byte> message)
    {
        if (!string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            throw new UndecodableBodyException($"The message is compressed with '{encoding}'; this Logbus reads gzip or uncompressed messages.");
        }

        using var gzip = new GZipStream(new MemoryStream(message.ToArray(), writable: false), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = gzip.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, read);
                if (output.Length > maxBytes)
                {
                    throw new UndecodableBodyException(
                        $"The message is larger than {maxBytes} bytes once decompressed (setting Ingest:MaxBodyBytes).");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new UndecodableBodyException("The message is not valid gzip data.", e);
        }

        return output.ToArray();
    }
}
