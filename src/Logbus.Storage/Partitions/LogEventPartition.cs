namespace Logbus.Storage.Partitions;

/// <summary>A daily partition of <c>log_events</c>: the events with <c>Day &lt;= timestamp (UTC) &lt; Day + 1</c>.</summary>
public sealed record LogEventPartition(string Table, DateOnly Day)
{
    public const string Prefix = "log_events_p";
    public const string DefaultTable = "log_events_default";

    public static LogEventPartition For(DateOnly day) =>
        new(Prefix + day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), day);

    public DateTimeOffset From => new(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset To => From.AddDays(1);

    public static bool TryParse(string table, out LogEventPartition partition)
    {
        partition = null!;
        if (!table.StartsWith(Prefix, StringComparison.Ordinal)
            || !DateOnly.TryParseExact(table.AsSpan(Prefix.Length), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var day))
        {
            return false;
        }

        partition = new LogEventPartition(table, day);
        return true;
    }
}
