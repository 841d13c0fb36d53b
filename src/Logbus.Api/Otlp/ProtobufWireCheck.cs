using System.Globalization;
using Google.Protobuf.Reflection;
using Logbus.Api.Ingest.Decoding;

namespace Logbus.Api.Otlp;

/// <summary>
/// Walks protobuf bytes against the message's descriptor before they are parsed. Protobuf parsers skip a known field
/// that arrives in another wire type as if it were unknown, so a client that encodes a field wrongly would have its
/// records silently vanish; this refuses such a body instead, and also a truncated one and one nested deeper than the
/// limit, and one with more log records than allowed before a single one is built. Unknown field numbers stay allowed
/// (newer OTLP versions add fields).
/// </summary>
internal static class ProtobufWireCheck
{
    private const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    /// <param name="counted">The message counted against <paramref name="maxCount"/> (OTLP's LogRecord).</param>
    public static void Check(ReadOnlySpan<byte> data, MessageDescriptor type, int maxDepth, MessageDescriptor counted, int maxCount)
    {
        var count = 0;
        Check(data, type, 1, new Limits(maxDepth, counted, maxCount), ref count);
    }

    private static void Check(ReadOnlySpan<byte> data, MessageDescriptor type, int depth, Limits limits, ref int count)
    {
        var maxDepth = limits.MaxDepth;
        if (depth > maxDepth)
        {
            throw Refuse($"messages nest deeper than {maxDepth} levels (setting Otlp:MaxNestingDepth)");
        }

        var position = 0;
        while (position < data.Length)
        {
            var tag = ReadVarint(data, ref position, type);
            var number = tag >> 3;
            var wire = (int)(tag & 7);
            if (number is 0 or > 536_870_911)
            {
                throw Refuse($"{type.Name} holds a field numbered {number}");
            }

            var payload = ReadOnlySpan<byte>.Empty;
            switch (wire)
            {
                case Varint: ReadVarint(data, ref position, type); break;
                case Fixed64: Skip(data, ref position, 8, type); break;
                case Fixed32: Skip(data, ref position, 4, type); break;
                case LengthDelimited:
                    var length = ReadVarint(data, ref position, type);
                    var start = position;
                    Skip(data, ref position, length, type);
                    payload = data[start..position];
                    break;
                default: throw Refuse($"{type.Name} field {number} has wire type {wire}, which OTLP never uses");
            }

            if (type.FindFieldByNumber((int)number) is not { } field)
            {
                continue;
            }

            var expected = WireTypeOf(field.FieldType);
            if (wire == expected)
            {
                if (field.FieldType == FieldType.Message)
                {
                    if (field.MessageType == limits.Counted && ++count > limits.MaxCount)
                    {
                        throw Refuse(string.Create(CultureInfo.InvariantCulture,
                            $"it holds more than {limits.MaxCount} {field.MessageType.Name}s (setting Otlp:MaxRecordsPerRequest)"));
                    }

                    Check(payload, field.MessageType, depth + 1, limits, ref count);
                }
            }
            else if (!(wire == LengthDelimited && field.IsRepeated))
            {
                // A repeated scalar may come packed (length-delimited); nothing else may change its wire type.
                throw Refuse($"{type.Name}.{field.Name} (field {number}) came with wire type {wire}; it is declared with wire type {expected}");
            }
        }
    }

    private static int WireTypeOf(FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => Fixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message => LengthDelimited,
        _ => Varint,
    };

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position, MessageDescriptor type)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
            {
                throw Refuse($"the body ends inside a {type.Name} (it is truncated)");
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Refuse($"a {type.Name} holds a varint longer than 10 bytes");
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int position, ulong length, MessageDescriptor type)
    {
        if (length > (ulong)(data.Length - position))
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture,
                $"a field of a {type.Name} claims {length} bytes but only {data.Length - position} follow (the body is truncated)"));
        }

        position += (int)length;
    }

    private readonly record struct Limits(int MaxDepth, MessageDescriptor Counted, int MaxCount);

    private static UndecodableBodyException Refuse(string why) =>
        new($"The body is not an OTLP ExportLogsServiceRequest in protobuf: {why}.");
}
