using System.Globalization;
using CsCheck;

namespace Logbus.Specs.Fuzzing;

/// <summary>
/// How long each fuzzing property runs: <c>LOGBUS_FUZZ_SECONDS</c> (default 2) per property, on one thread (the
/// machine is shared with the other specs). CsCheck's own <c>CsCheck_Seed</c> replays a failure it printed.
/// </summary>
internal static class FuzzBudget
{
    public const string SecondsVariable = "LOGBUS_FUZZ_SECONDS";

    public static int Seconds { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0
            ? s
            : 2;

    /// <summary>Runs <paramref name="property"/> on generated inputs for the budget; a failure is shrunk and reported with its seed.</summary>
    public static void Run<T>(Gen<T> inputs, Action<T> property, Func<T, string>? print = null) =>
        inputs.Sample(property, time: Seconds, threads: 1, print: print);
}
