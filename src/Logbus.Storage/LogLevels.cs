namespace Logbus.Storage;

/// <summary>The levels a stored event can have, from least to most severe.</summary>
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
}
