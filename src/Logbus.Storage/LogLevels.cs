using System.Collections.Frozen;

namespace Logbus.Storage;

/// <summary>The levels a stored event can have, from least to most severe, and the names clients use for them.</summary>
public static class LogLevels
{
    public const string Trace = "TRACE";
    public const string Debug = "DEBUG";
    public const string Info = "INFO";
    public const string Warn = "WARN";
    public const string Error = "ERROR";
    public const string Fatal = "FATAL";

    /// <summary>All levels, least severe first.</summary>
    public static readonly IReadOnlyList<string> All = [Trace, Debug, Info, Warn, Error, Fatal];

    // The spellings of Serilog, Microsoft.Extensions.Logging, NLog, log4net, syslog and Java logging.
    private static readonly FrozenDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["trace"] = Trace, ["verbose"] = Trace, ["verb"] = Trace, ["vrb"] = Trace, ["trc"] = Trace, ["finest"] = Trace, ["finer"] = Trace,
        ["debug"] = Debug, ["dbg"] = Debug, ["dbug"] = Debug, ["fine"] = Debug,
        ["info"] = Info, ["information"] = Info, ["inf"] = Info, ["notice"] = Info, ["config"] = Info,
        ["warn"] = Warn, ["warning"] = Warn, ["wrn"] = Warn,
        ["error"] = Error, ["err"] = Error, ["eror"] = Error, ["fail"] = Error, ["severe"] = Error,
        ["fatal"] = Fatal, ["critical"] = Fatal, ["crit"] = Fatal, ["crt"] = Fatal, ["ftl"] = Fatal, ["alert"] = Fatal, ["emergency"] = Fatal,
            ["panic"] = Fatal,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Maps a client's level name (any case, any usual alias) to one of <see cref="All"/>.</summary>
    public static bool TryNormalize(string? name, out string level)
    {
        level = "";
        return name is not null && Aliases.TryGetValue(name.Trim(), out level!);
    }

    /// <summary>0 for TRACE up to 5 for FATAL.</summary>
    public static int Severity(string level) => level switch
    {
        Trace => 0,
        Debug => 1,
        Info => 2,
        Warn => 3,
        Error => 4,
        Fatal => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "not a normalized level"),
    };

    /// <summary>The levels at least as severe as <paramref name="minimum"/>.</summary>
    public static IReadOnlyList<string> AtLeast(string minimum) => [.. All.Skip(Severity(minimum))];
}
