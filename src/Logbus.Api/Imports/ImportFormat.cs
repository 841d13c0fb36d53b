namespace Logbus.Api.Imports;

/// <summary>The file formats an import accepts.</summary>
public enum ImportFormat
{
    /// <summary>One event per line, in the shape <c>POST /api/logs</c> takes.</summary>
    Ndjson,

    /// <summary>Serilog's compact log event format, one event per line.</summary>
    Clef,

    /// <summary>A header row naming columns; timestamp, level, source and message map onto the event, others into metadata.</summary>
    Csv,
}
