using System.Text.Json;
using Npgsql;

namespace Logbus.Api.Ingest;

/// <summary>
/// Which failures of a commit were caused by the committed events' own data: the outbox could not serialize them, or
/// PostgreSQL refused their values (SQLSTATE class 22, data exception, or 23, integrity constraint). Sent again, the
/// same events fail the same way, so the client is told what is wrong with them instead of being asked to retry.
/// </summary>
public static class CommitRefusal
{
    /// <summary>Why the data was refused, or null when the failure is not the data's.</summary>
    public static string? ReasonFor(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres when postgres.SqlState.StartsWith("22", StringComparison.Ordinal)
                    || postgres.SqlState.StartsWith("23", StringComparison.Ordinal):
                    return $"PostgreSQL refused it ({postgres.MessageText})";
                case JsonException or NotSupportedException:
                case ArgumentException when e.GetType() == typeof(ArgumentException):
                    return $"it cannot be written as JSON ({e.Message})";
            }
        }

        return null;
    }
}
