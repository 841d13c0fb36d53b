using System.Text;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Logbus.Storage;

/// <summary>
/// Maps UTF-8 text held as bytes (<see cref="LogEvent.Metadata"/>) to its <c>jsonb</c> column, as a string, in the model;
/// rows are written by the bulk writer, which sends the bytes themselves.
/// </summary>
public sealed class Utf8TextConverter() : ValueConverter<ReadOnlyMemory<byte>, string>(v => Decode(v), s => Encode(s))
{
    private static string Decode(ReadOnlyMemory<byte> utf8) => Encoding.UTF8.GetString(utf8.Span);

    private static ReadOnlyMemory<byte> Encode(string text) => Encoding.UTF8.GetBytes(text);
}
