namespace Logbus.Bench;

/// <summary>
/// One benchmark: it measures a Logbus figure and, in the same run, the baseline that figure is a fraction of
/// (raw COPY, a raw Confluent poll loop, a trivial endpoint…), so every headline is also a ratio.
/// </summary>
internal interface IBenchmark
{
    /// <summary>The name used on the command line: <c>./logbus bench &lt;name&gt;</c>.</summary>
    string Name { get; }

    string Description { get; }

    Task<BenchmarkReport> RunAsync(BenchContext context, CancellationToken cancellationToken);
}
