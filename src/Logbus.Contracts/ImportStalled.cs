namespace Logbus.Contracts;

/// <summary>
/// The Worker's watchdog saw no progress on an unfinished import for longer than its timeout (or a cancel that no chunk
/// will act on): the saga decides what that means in its state.
/// </summary>
public sealed record ImportStalled(Guid ImportId, DateTimeOffset DetectedAt);
