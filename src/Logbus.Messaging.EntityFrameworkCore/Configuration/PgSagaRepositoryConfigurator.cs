using Logbus.Messaging.EntityFrameworkCore.Diagnostics;
using Logbus.Messaging.EntityFrameworkCore.Saga;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Logbus.Messaging.EntityFrameworkCore.Configuration;

/// <summary>Chooses the DbContext, the concurrency mode and the conflict retries of a saga's PostgreSQL repository.</summary>
public sealed class PgSagaRepositoryConfigurator<TSaga>
    where TSaga : class, ISaga
{
    private Action<ISagaRepositoryRegistrationConfigurator<TSaga>>? _register;

    public PgSagaRepositoryOptions<TSaga> Options { get; } = new();

    /// <summary>Keeps the saga in <typeparamref name="TDbContext"/>, whose model maps it (<c>AddPgSagaState</c>).</summary>
    public PgSagaRepositoryConfigurator<TSaga> UseDbContext<TDbContext>()
        where TDbContext : DbContext
    {
        _register = services =>
        {
            services.AddSingleton(Options);
            services.TryAddSingleton<MessagingMetrics>();
            services.RegisterLoadSagaRepository<TSaga, PgSagaRepositoryContextFactory<TDbContext, TSaga>>();
            services.RegisterQuerySagaRepository<TSaga, PgSagaRepositoryContextFactory<TDbContext, TSaga>>();
            services.RegisterSagaRepository<TSaga, TDbContext, SagaConsumeContextFactory<TDbContext, TSaga>,
                PgSagaRepositoryContextFactory<TDbContext, TSaga>>();
        };
        return this;
    }

    /// <summary>Sets <see cref="PgSagaRepositoryOptions{TSaga}.ConcurrencyMode"/>.</summary>
    public PgSagaRepositoryConfigurator<TSaga> Concurrency(ConcurrencyMode mode)
    {
        Options.ConcurrencyMode = mode;
        return this;
    }

    internal void Register(ISagaRepositoryRegistrationConfigurator<TSaga> services) =>
        (_register ?? throw new ConfigurationException(
            $"The PostgreSQL repository of {typeof(TSaga).Name} needs UseDbContext<TDbContext>()."))(services);
}
