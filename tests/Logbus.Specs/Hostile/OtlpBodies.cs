using System.Net.Http.Headers;

namespace Logbus.Specs.Hostile;

/// <summary>
/// Hostile OTLP protobuf bodies, written byte by byte (a well-behaved encoder cannot produce them): field 1 of an
/// ExportLogsServiceRequest is its ResourceLogs, field 2 of those their ScopeLogs, field 2 of those their LogRecords.
/// </summary>
internal static class OtlpBodies
{
    /// <summary>A request with one record, cut off in the middle of it.</summary>
    public static Func<HttpContent> Truncated() => () => Protobuf([.. Record("cut short")[..^4]]);

    /// <summary>ResourceLogs (field 1, a message) sent as a varint.</summary>
    public static Func<HttpContent> WrongWireType() => () => Protobuf([0x08, 0x01]);

    /// <summary>One ResourceLogs claiming 1,000 bytes, of which 3 follow.</summary>
    public static Func<HttpContent> LengthPastEnd() => () => Protobuf([0x0A, 0xE8, 0x07, 0x12, 0x01, 0x00]);

    /// <summary><paramref name="count"/> empty LogRecords in one ScopeLogs: two bytes each.</summary>
    public static Func<HttpContent> ManyRecords(int count) => () =>
    {
        var records = new byte[count * 2];
        for (var i = 0; i < records.Length; i += 2)
        {
            records[i] = 0x12;
        }

        return Protobuf(Field(1, Field(2, records)));
    };

    /// <summary>A record whose body is an array in an array… <paramref name="depth"/> levels deep.</summary>
    public static Func<HttpContent> DeepAnyValue(int depth) => () =>
    {
        byte[] value = Field(1, "x"u8.ToArray());
        for (var i = 0; i < depth; i++)
        {
            value = Field(5, Field(1, value)); // AnyValue.array_value { values: value }
        }

        return Protobuf(Field(1, Field(2, Field(2, Field(5, value)))));
    };

    private static byte[] Record(string message) =>
        Field(1, Field(2, Field(2, Field(5, Field(1, System.Text.Encoding.UTF8.GetBytes(message))))));

    /// <summary>A length-delimited field: its tag, the varint length, the bytes.</summary>
    private static byte[] Field(int number, byte[] payload)
    {
        var bytes = new List<byte>(payload.Length + 6) { (byte)((number << 3) | 2) };
        for (var length = (uint)payload.Length; ; length >>= 7)
        {
            if (length < 0x80)
            {
                bytes.Add((byte)length);
                break;
            }

            bytes.Add((byte)((length & 0x7F) | 0x80));
        }

        bytes.AddRange(payload);
        return [.. bytes];
    }

    private static ByteArrayContent Protobuf(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }
}
