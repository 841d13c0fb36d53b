namespace Logbus.Specs.Infrastructure;

/// <summary>Waits for an asynchronous outcome, failing with what was expected when it does not come.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string expectation) =>
        await TrueAsync(() => Task.FromResult(condition()), timeout, expectation);

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string expectation) =>
        TrueAsync(condition, timeout, expectation, () => null);

    /// <param name="lastSeen">What the condition saw last, for the failure message: a timeout should say where things stood.</param>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string expectation, Func<string?> lastSeen)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {expectation}."
                    + (lastSeen() is { } seen ? $" Last seen: {seen}" : ""));
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until <paramref name="probe"/> yields a value, and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string expectation)
        where T : struct
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {expectation}.");
            }

            await Task.Delay(200);
        }
    }
}
