using System.Text;

namespace Logbus.ServiceDefaults.Security;

/// <summary>
/// The source patterns of keys: <c>*</c> stands for any run of characters, <c>?</c> for one; everything else is
/// itself, case-sensitive (as sources are stored).
/// </summary>
public static class SourceGlob
{
    public static bool Matches(string glob, string source)
    {
        ArgumentNullException.ThrowIfNull(glob);
        ArgumentNullException.ThrowIfNull(source);
        return MatchesFrom(glob, 0, source, 0);
    }

    /// <summary>The glob as a PostgreSQL <c>LIKE</c> pattern (escape character <c>\</c>), so databases filter by it.</summary>
    public static string ToLike(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        var like = new StringBuilder(glob.Length + 4);
        foreach (var c in glob)
        {
            like.Append(c switch
            {
                '*' => "%",
                '?' => "_",
                '%' or '_' or '\\' => "\\" + c,
                _ => c.ToString(),
            });
        }

        return like.ToString();
    }

    private static bool MatchesFrom(string glob, int g, string text, int t)
    {
        // Iterative with one backtrack point: the classic linear-time wildcard match.
        int star = -1, resume = 0;
        while (t < text.Length)
        {
            if (g < glob.Length && (glob[g] == '?' || glob[g] == text[t]) && glob[g] != '*')
            {
                g++;
                t++;
            }
            else if (g < glob.Length && glob[g] == '*')
            {
                star = g++;
                resume = t;
            }
            else if (star >= 0)
            {
                g = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (g < glob.Length && glob[g] == '*')
        {
            g++;
        }

        return g == glob.Length;
    }
}
