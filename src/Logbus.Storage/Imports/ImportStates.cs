namespace Logbus.Storage.Imports;

/// <summary>The names of the import saga's states, as stored in <c>import_state.current_state</c>.</summary>
public static class ImportStates
{
    public const string Receiving = nameof(Receiving);
    public const string Persisting = nameof(Persisting);
    public const string Completed = nameof(Completed);
    public const string CompletedWithErrors = nameof(CompletedWithErrors);
    public const string Failed = nameof(Failed);
    public const string Cancelled = nameof(Cancelled);

    public static readonly IReadOnlyList<string> All = [Receiving, Persisting, Completed, CompletedWithErrors, Failed, Cancelled];
}
