using Logbus.Api.Ingest;

namespace Logbus.Api.Imports;

/// <summary>One record of an import file: the event it holds (to validate), or why it could not be read.</summary>
public readonly record struct ImportRecord(int Line, IncomingEvent? Event, string? DefaultSource, string? Unreadable);
