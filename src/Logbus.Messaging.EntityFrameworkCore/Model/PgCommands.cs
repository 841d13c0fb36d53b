using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Logbus.Messaging.EntityFrameworkCore.Model;

/// <summary>Raw commands on a DbContext's own connection and transaction, for SQL that EF cannot express.</summary>
internal static class PgCommands
{
    public static NpgsqlCommand Create(DbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection() as NpgsqlConnection
            ?? throw new InvalidOperationException("The messaging tables need PostgreSQL: the DbContext must use Npgsql.");
#pragma warning disable CA2100 // The SQL is built from table names of the EF model, never from input; values are parameters.
        var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        if (db.Database.CurrentTransaction is { } transaction)
        {
            command.Transaction = (NpgsqlTransaction)transaction.GetDbTransaction();
        }

        return command;
    }
}
