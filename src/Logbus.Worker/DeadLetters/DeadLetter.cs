namespace Logbus.Worker.DeadLetters;

/// <summary>A record the Worker gave up on, as the dead-letter listing shows it.</summary>
/// <param name="Id">Where it sits in the dead-letter topic, <c>partition-offset</c>: the id to replay it by.</param>
/// <param name="Reason">The exception's message.</param>
/// <param name="Attempts">How many times the Worker tried it.</param>
public sealed record DeadLetter(
    string Id,
    DateTimeOffset DeadLetteredAt,
    string? OriginalTopic,
    int? OriginalPartition,
    long? OriginalOffset,
    string? ExceptionType,
    string? Reason,
    int? Attempts,
    string? MessageId,
    string? MessageType,
    int Bytes,
    DateTimeOffset? ReplayedAt);
