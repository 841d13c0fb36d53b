using System.Net.Sockets;
using Npgsql;

namespace Logbus.Storage.Resilience;

/// <summary>Which exceptions mean PostgreSQL is unreachable or overwhelmed, as opposed to a bad statement.</summary>
public static class PostgresOutage
{
    /// <summary>PostgreSQL's name in answers, logs, metrics and as the key of its circuit breaker.</summary>
    public const string Dependency = "PostgreSQL";

    /// <summary>
    /// True when the exception, or one it wraps (EF Core wraps database errors in DbUpdateException and the like),
    /// says PostgreSQL could not be reached or did not answer.
    /// </summary>
    public static bool IsOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                case TimeoutException:
                case SocketException:
                    return true;
            }
        }

        return false;
    }
}
