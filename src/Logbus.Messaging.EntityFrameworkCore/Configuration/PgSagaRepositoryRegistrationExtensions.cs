using Logbus.Messaging.EntityFrameworkCore.Configuration;

namespace MassTransit;

/// <summary>Keeps a saga's state in PostgreSQL.</summary>
public static class PgSagaRepositoryRegistrationExtensions
{
    /// <summary>
    /// The saga repository on PostgreSQL: <c>.PgRepository(r => r.UseDbContext&lt;AppDb&gt;().Concurrency(ConcurrencyMode.Pessimistic))</c>.
    /// Behind <c>UsePgOutbox</c> on the same DbContext it joins the inbox transaction.
    /// </summary>
    public static ISagaRegistrationConfigurator<TSaga> PgRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> configurator,
        Action<PgSagaRepositoryConfigurator<TSaga>> configure)
        where TSaga : class, ISaga
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(configure);
        var repository = new PgSagaRepositoryConfigurator<TSaga>();
        configure(repository);
        configurator.Repository(repository.Register);
        return configurator;
    }
}
