namespace Logbus.Storage.Schema;

/// <summary>Whether this process has seen the schema migrated, and why not if it has not.</summary>
public sealed class DatabaseSchemaState
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompleted;

    public string? LastError { get; private set; }

    public void MarkReady() => _ready.TrySetResult();

    public void MarkFailed(string error) => LastError = error;

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);
}
