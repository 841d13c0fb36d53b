namespace Logbus.Api.Security;

/// <summary>The key a request presented, once recognized.</summary>
public sealed record ApiKeyIdentity(string Name, string? Source, int RequestsPerSecond);
