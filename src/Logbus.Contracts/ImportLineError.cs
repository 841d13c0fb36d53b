namespace Logbus.Contracts;

/// <summary>Why one line of an import file was rejected.</summary>
public sealed record ImportLineError(long Line, string Reason);
