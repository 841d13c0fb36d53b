namespace Logbus.Api.Ingest;

/// <summary>What is wrong with one field of one event.</summary>
/// <param name="Field">The field's name, e.g. <c>message</c>.</param>
public sealed record FieldError(string Field, string Reason);
