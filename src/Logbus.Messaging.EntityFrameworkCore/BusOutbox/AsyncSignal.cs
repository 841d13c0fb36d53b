namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// A wake-up that is never lost: a <see cref="Set"/> while nobody waits makes the next wait return at once. The
/// waiter re-arms it as it wakes, before doing the work, so a set that arrives during the work causes another round.
/// </summary>
internal sealed class AsyncSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _set = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set()
    {
        lock (_lock)
        {
            _set.TrySetResult();
        }
    }

    /// <summary>Waits for a set or the timeout; true when it was set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task set;
        lock (_lock)
        {
            set = _set.Task;
        }

        var signalled = true;
        try
        {
            await set.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            signalled = false;
        }

        lock (_lock)
        {
            if (_set.Task.IsCompleted)
            {
                _set = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return signalled;
    }
}
