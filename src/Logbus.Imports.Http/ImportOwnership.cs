using Logbus.ServiceDefaults.Security;
using Logbus.Storage.Imports;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Logbus.Imports.Http;

/// <summary>
/// Who may act on an import once keys are configured: the key that started it (recorded as
/// <see cref="ImportStatus.StartedBy"/>) may read and cancel it; any <c>read</c> key may read it, any <c>admin</c> key
/// cancel it. The one place this rule lives, wherever the routes are mapped.
/// </summary>
public static class ImportOwnership
{
    /// <summary>403 unless the request's key may read <paramref name="import"/>; null when it may (or keys are off).</summary>
    public static ProblemHttpResult? RefuseRead(HttpContext context, ImportStatus import) => Refuse(context, import, KeyScopes.Read, "read");

    /// <summary>403 unless the request's key may cancel <paramref name="import"/>; null when it may (or keys are off).</summary>
    public static ProblemHttpResult? RefuseCancel(HttpContext context, ImportStatus import) => Refuse(context, import, KeyScopes.Admin, "cancel");

    private static ProblemHttpResult? Refuse(HttpContext context, ImportStatus import, string anyImportScope, string action)
    {
        ArgumentNullException.ThrowIfNull(import);
        var key = RequestKey.Of(context);
        if (key is null || key.Has(anyImportScope) || string.Equals(key.Name, import.StartedBy, StringComparison.Ordinal))
        {
            // No key here means keys are off: the key middleware has refused every keyless request otherwise.
            return null;
        }

        return KeyRefusals.Forbidden(context, KeyRefusals.Owner,
            $"Import {import.Id} was started by another key; the key '{key.Name}' may {action} it only with the {anyImportScope} scope.");
    }
}
