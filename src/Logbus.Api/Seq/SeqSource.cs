using Logbus.Api.Ingest;

namespace Logbus.Api.Seq;

/// <summary>Seq events carry their application in a property; without one the key's source, else a configured default.</summary>
internal static class SeqSource
{
    public static string Of(string? named, string? keySource, IngestOptions options) => named ?? keySource ?? options.DefaultClefSource;
}
