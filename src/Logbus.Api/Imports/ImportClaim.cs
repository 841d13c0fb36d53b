using Logbus.Storage.Imports;

namespace Logbus.Api.Imports;

/// <summary>
/// What an upload's Idempotency-Key says: import now as <see cref="ImportId"/> (<see cref="IsNew"/>), giving lines
/// without a timestamp <see cref="UndatedAt"/> (the key's first use, the same in every retry); or the file was already
/// received whole by that import, whose upload counted <see cref="Earlier"/>.
/// </summary>
public sealed record ImportClaim(Guid ImportId, bool IsNew, DateTimeOffset UndatedAt, ImportIdempotencyKey? Earlier);
