using System.Globalization;
using Logbus.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Logbus.Query.Database;

/// <summary>
/// The Query service's own pool for reads: its sessions start with <c>statement_timeout</c> set, so the limit costs
/// nothing per query. The service's other pool (migrations, import status, health) keeps PostgreSQL's default, since a
/// migration may rightly run longer.
/// </summary>
public sealed class QueryDataSource : IAsyncDisposable
{
    public QueryDataSource(IConfiguration configuration, IOptions<StorageOptions> storage, IOptions<SearchLimitsOptions> limits)
    {
        StatementTimeout = limits.Value.StatementTimeout;
        var connection = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(StorageExtensions.ConnectionStringName));
        var milliseconds = ((long)StatementTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        connection.Options = $"{connection.Options} -c statement_timeout={milliseconds}".Trim();
        Reads = StorageExtensions.BuildDataSource(connection.ConnectionString, storage.Value, "logbus-reads");
    }

    public NpgsqlDataSource Reads { get; }

    public TimeSpan StatementTimeout { get; }

    public ValueTask DisposeAsync() => Reads.DisposeAsync();
}
