namespace Logbus.ServiceDefaults.Security;

/// <summary>What a key may do. A key has one or more; none implies another.</summary>
public static class KeyScopes
{
    /// <summary>Send events: the ingest, Seq/CLEF and import routes.</summary>
    public const string Ingest = "ingest";

    /// <summary>Read events: Query's API, live tail, the web explorer's data, import status.</summary>
    public const string Read = "read";

    /// <summary>Operate the services: dead letters, health details, and (off loopback) /metrics and /openapi.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Ingest, Read, Admin];
}
