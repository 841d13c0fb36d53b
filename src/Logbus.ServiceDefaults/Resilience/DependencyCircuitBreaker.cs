using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Logbus.ServiceDefaults.Monitoring;
using Polly;
using Polly.CircuitBreaker;

namespace Logbus.ServiceDefaults.Resilience;

/// <summary>
/// A circuit breaker around one dependency. While it is closed, failures that mean "unreachable" still answer
/// <see cref="DependencyUnavailableException"/> (so 503, not 500); once enough calls fail it opens, and calls fail at
/// once without waiting on the dependency until the break is over, when a trial call decides whether it closes again.
/// </summary>
public sealed class DependencyCircuitBreaker
{
    /// <summary>1 while the circuit around a dependency is open, by dependency: the last breaker to change it decides.</summary>
    private static readonly ConcurrentDictionary<string, int> OpenByDependency = new(StringComparer.Ordinal);

    private readonly ResiliencePipeline _pipeline;
    private readonly Func<Exception, bool> _isOutage;
    private readonly TimeSpan _breakDuration;

    static DependencyCircuitBreaker() =>
        LogbusMeters.Logbus.CreateObservableGauge("circuit_open",
            () => OpenByDependency.Select(d => new Measurement<int>(d.Value, new KeyValuePair<string, object?>("dependency", d.Key))).ToList(),
            unit: null, "1 while the circuit breaker around a dependency is open (calls fail fast), else 0.");

    /// <param name="dependency">Its name in answers, logs and metrics, e.g. <c>PostgreSQL</c>.</param>
    /// <param name="isOutage">Which exceptions mean the dependency is unreachable (as opposed to a bad request).</param>
    /// <param name="settings">When the circuit opens and for how long; the defaults suit a database.</param>
    public DependencyCircuitBreaker(string dependency, Func<Exception, bool> isOutage, CircuitBreakerSettings? settings = null)
    {
        settings ??= new CircuitBreakerSettings();
        Dependency = dependency;
        _isOutage = isOutage;
        _breakDuration = settings.BreakDuration;
        _pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(isOutage),
                OnOpened = _ =>
                {
                    OpenByDependency[dependency] = 1;
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    OpenByDependency[dependency] = 0;
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        OpenByDependency[dependency] = 0;
    }

    public string Dependency { get; }

    public async ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(call, cancellationToken);
        }
        catch (BrokenCircuitException e)
        {
            // Polly knows how long the break still lasts; a second is the least worth telling a client to wait.
            throw new DependencyUnavailableException(Dependency, e.RetryAfter is { } left && left > TimeSpan.FromSeconds(1) ? left
                : TimeSpan.FromSeconds(1), e);
        }
        catch (Exception e) when (_isOutage(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new DependencyUnavailableException(Dependency, _breakDuration, e);
        }
    }

    public ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> call, CancellationToken cancellationToken) =>
        new(ExecuteAsync(async token =>
        {
            await call(token);
            return true;
        }, cancellationToken).AsTask());
}

/// <summary>When a <see cref="DependencyCircuitBreaker"/> opens, and for how long.</summary>
public sealed record CircuitBreakerSettings
{
    /// <summary>Share of failed calls within <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Calls needed within <see cref="SamplingDuration"/> before the ratio counts.</summary>
    public int MinimumThroughput { get; init; } = 4;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long calls fail fast before a trial call.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);
}
