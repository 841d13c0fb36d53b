using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Logbus.Api.Security;

/// <summary>
/// Recognizes the API key of a request, from <c>X-Api-Key</c>, Seq's <c>X-Seq-ApiKey</c>, or <c>?apiKey=</c>.
/// </summary>
public sealed class ApiKeys(IOptionsMonitor<ApiKeyOptions> options)
{
    private const string ItemKey = "Logbus.ApiKey";

    public bool Required => options.CurrentValue.Keys.Count > 0;

    public int AnonymousRequestsPerSecond => options.CurrentValue.AnonymousRequestsPerSecond;

    /// <summary>
    /// The identity of the presented key; null when none was presented, it is not one of ours, or no keys are
    /// configured. A blank value or the text <c>null</c> counts as no key: Seq clients configured without a key send
    /// one of those.
    /// </summary>
    public ApiKeyIdentity? Identify(HttpContext context, out bool presented)
    {
        var key = new[]
        {
            context.Request.Headers["X-Api-Key"].FirstOrDefault(),
            context.Request.Headers["X-Seq-ApiKey"].FirstOrDefault(),
            context.Request.Query["apiKey"].FirstOrDefault(),
        }.FirstOrDefault(IsKey);
        presented = key is not null;
        if (!presented || !Required)
        {
            return null;
        }

        if (context.Items.TryGetValue(ItemKey, out var cached))
        {
            return (ApiKeyIdentity?)cached;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key!));
        ApiKeyIdentity? identity = null;
        foreach (var entry in options.CurrentValue.Keys)
        {
            if (entry.Sha256.Length == 64 && CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(entry.Sha256)))
            {
                identity = new ApiKeyIdentity(entry.Name, entry.Source, entry.RequestsPerSecond);
            }
        }

        context.Items[ItemKey] = identity;
        return identity;
    }

    private static bool IsKey(string? value) => !string.IsNullOrWhiteSpace(value) && value.Trim() != "null";
}
