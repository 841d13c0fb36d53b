namespace Logbus.Contracts;

/// <summary>The Kafka topics Logbus services talk through.</summary>
public static class Topics
{
    /// <summary>Accepted events, one <see cref="LogEventsAccepted"/> per chunk.</summary>
    public const string LogEvents = "log-events";

    /// <summary>Progress of bulk imports, for the import saga.</summary>
    public const string Imports = "log-imports";
}
