namespace Logbus.Storage.Imports;

/// <summary>An upload's <c>Idempotency-Key</c> (scoped by API key) and the import it started (table <c>import_idempotency_keys</c>).</summary>
public sealed class ImportIdempotencyKey
{
    public required string Key { get; set; }

    public Guid ImportId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
