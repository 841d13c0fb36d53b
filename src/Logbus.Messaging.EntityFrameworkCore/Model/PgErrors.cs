using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Logbus.Messaging.EntityFrameworkCore.Model;

/// <summary>
/// Failures that mean "another transaction got there first" and go away when the work is done again: concurrency-token
/// mismatches, unique violations of racing inserts, serialization failures and deadlocks.
/// </summary>
public static class PgErrors
{
    /// <summary>True for a conflict that a retry of the whole transaction resolves; use it in <c>UseMessageRetry</c> filters.</summary>
    public static bool IsConflict(Exception exception) =>
        exception is DbUpdateConcurrencyException
        || SqlState(exception) is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure
            or PostgresErrorCodes.DeadlockDetected;

    public static bool IsUniqueViolation(Exception exception) => SqlState(exception) == PostgresErrorCodes.UniqueViolation;

    private static string? SqlState(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is PostgresException postgres)
            {
                return postgres.SqlState;
            }
        }

        return null;
    }
}
