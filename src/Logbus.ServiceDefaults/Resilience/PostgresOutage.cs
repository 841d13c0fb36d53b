using System.Net.Sockets;
using Npgsql;

namespace Logbus.ServiceDefaults.Resilience;

/// <summary>Which exceptions mean PostgreSQL is unreachable or overwhelmed, as opposed to a bad statement.</summary>
public static class PostgresOutage
{
    public static bool IsOutage(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => true,
        TimeoutException => true,
        _ => false,
    };
}
