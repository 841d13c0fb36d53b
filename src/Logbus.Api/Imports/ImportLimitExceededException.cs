namespace Logbus.Api.Imports;

/// <summary>An upload went past one of the import limits; the message names the limit and its setting.</summary>
public sealed class ImportLimitExceededException(string setting, long limit, string what)
    : Exception($"The upload is larger than {what} allows: {limit:N0} bytes ({setting}).")
{
    public string Setting { get; } = setting;

    public long Limit { get; } = limit;
}
