namespace Logbus.Worker.Storing;

/// <summary>
/// An event PostgreSQL cannot store, found before the insert. Thrown for a chunk of that one event only, so the
/// endpoint dead-letters it alone, with this message as its reason; a larger chunk hands such events on one by one.
/// </summary>
public sealed class NotStorableEventException(string eventId, string field, string reason)
    : Exception($"Event '{eventId}' cannot be stored: {field} {reason}.")
{
    public string Field { get; } = field;
}
