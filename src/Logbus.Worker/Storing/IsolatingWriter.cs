using Logbus.Storage;
using Logbus.Storage.Writing;
using Npgsql;

namespace Logbus.Worker.Storing;

/// <summary>
/// Writes a chunk's rows so that rows PostgreSQL refuses for their data cannot cost the others: the rows are written
/// under a savepoint, and when PostgreSQL refuses them for a data reason (SQLSTATE class 22, data exception, or 23,
/// integrity constraint) the savepoint is rolled back and each half is tried again the same way, down to single rows.
/// The refused rows are returned, with PostgreSQL's reason; everything else is written once, in the caller's transaction.
/// Any other failure (an outage above all) is thrown as it is, for the endpoint's retry and circuit breaker.
/// </summary>
public static class IsolatingWriter
{
    private const string Savepoint = "isolate_rows";

    /// <param name="rows">The rows, each with its position in the chunk.</param>
    /// <param name="refused">Receives each refused row's position and what PostgreSQL refused it with.</param>
    /// <param name="copyDirect">Passed to <see cref="LogEventBulkWriter"/>: COPY straight into the table while no row is already there.</param>
    public static Task<StoredCounts> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<(int Index, LogEvent Row)> rows, List<(int Index, PostgresException Refusal)> refused, bool copyDirect,
        CancellationToken cancellationToken) =>
        WriteAsync(new Isolation(connection, transaction, refused, copyDirect), rows, cancellationToken);

    private static async Task<StoredCounts> WriteAsync(Isolation isolation, IReadOnlyList<(int Index, LogEvent Row)> rows,
        CancellationToken cancellationToken)
    {
        var (connection, transaction, refused, copyDirect) = isolation;
        if (rows.Count == 0)
        {
            return default;
        }

        await transaction.SaveAsync(Savepoint, cancellationToken);
        try
        {
            var counts = await LogEventBulkWriter.WriteAsync(connection, [.. rows.Select(r => r.Row)], cancellationToken,
                emptyStaging: isolation.StagingHoldsRows, copyDirect: copyDirect, savepoint: Savepoint);
            await transaction.ReleaseAsync(Savepoint, cancellationToken);
            isolation.StagingHoldsRows = true;
            return counts;
        }
        catch (PostgresException e) when (IsDataRefusal(e))
        {
            await transaction.RollbackAsync(Savepoint, cancellationToken);
            await transaction.ReleaseAsync(Savepoint, cancellationToken);
            if (rows.Count == 1)
            {
                refused.Add((rows[0].Index, e));
                return default;
            }

            var half = rows.Count / 2;
            var first = await WriteAsync(isolation, [.. rows.Take(half)], cancellationToken);
            var second = await WriteAsync(isolation, [.. rows.Skip(half)], cancellationToken);
            return new StoredCounts(first.Stored + second.Stored, first.Duplicates + second.Duplicates);
        }
    }

    /// <summary>PostgreSQL refused the values themselves: the same rows would be refused however often they were sent.</summary>
    public static bool IsDataRefusal(PostgresException e) =>
        e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal);

    /// <remarks>A rollback to the savepoint takes the staging rows of the failed write with it; a write that succeeded leaves them.</remarks>
    private sealed record Isolation(NpgsqlConnection Connection, NpgsqlTransaction Transaction, List<(int Index, PostgresException Refusal)> Refused,
        bool CopyDirect)
    {
        public bool StagingHoldsRows { get; set; }
    }
}
