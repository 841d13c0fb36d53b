using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Logbus.Storage.Writing;

namespace Logbus.Query.Search;

/// <summary>
/// Where a page ended: the (timestamp, id) of its last event. Opaque to clients (base64url), so its shape can change;
/// the next page starts strictly after it in the search's order, which visits every event once even while new events
/// arrive.
/// </summary>
public sealed record SearchCursor(DateTimeOffset Timestamp, string Id)
{
    private const string Version = "1";

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
        $"{Version}:{Timestamp.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{Id}"));

    public static bool TryDecode(string? text, out SearchCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split(':', 3);
            if (parts is [Version, var ticks, var id] && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t)
                && t >= DateTimeOffset.MinValue.UtcTicks && t <= DateTimeOffset.MaxValue.UtcTicks && id.Length > 0
                && StorableValues.ProblemWithText(id) is null)
            {
                cursor = new SearchCursor(new DateTimeOffset(t, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
            // Not base64url: reported as an invalid cursor below.
        }

        return false;
    }
}
