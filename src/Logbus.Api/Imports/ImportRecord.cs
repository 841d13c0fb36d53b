using Logbus.Api.Ingest;

namespace Logbus.Api.Imports;

/// <summary>
/// One record of an import file: the event it holds (to validate), or why it could not be read. An NDJSON or CLEF
/// record's event refers into its line's parse, which the reader lets go when it reads the next record.
/// </summary>
public readonly record struct ImportRecord(int Line, IncomingEvent? Event, string? DefaultSource, string? Unreadable);
