namespace Logbus.Contracts;

/// <summary>The Kafka topics Logbus services talk through.</summary>
public static class Topics
{
    /// <summary>Accepted events, one <see cref="LogEventsAccepted"/> per chunk.</summary>
    public const string LogEvents = "log-events";

    /// <summary>Records of <see cref="LogEvents"/> the Worker could not store, with the reason in headers.</summary>
    public const string LogEventsDeadLetters = "log-events.dlq";

    /// <summary>Progress of bulk imports, for the import saga.</summary>
    public const string Imports = "log-imports";
}
