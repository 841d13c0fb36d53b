using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Logbus.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service or database.</summary>
internal sealed class LogbusDbContextFactory : IDesignTimeDbContextFactory<LogbusDbContext>
{
    public LogbusDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<LogbusDbContext>()
            .UseNpgsql("Host=localhost;Database=logbus_design", npgsql => npgsql.MigrationsHistoryTable(LogbusDbContext.MigrationsHistoryTable))
            .Options);
}
