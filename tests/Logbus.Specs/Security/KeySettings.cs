using System.Security.Cryptography;
using System.Text;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Security;

/// <summary>The keys the key specs configure: one per scope, and an ingest and a read key restricted to <c>orders-*</c>.</summary>
internal static class KeySettings
{
    public const string Ingest = "ingest-secret";
    public const string Read = "read-secret";
    public const string Admin = "admin-secret";
    public const string OrdersIngest = "orders-ingest-secret";
    public const string OrdersRead = "orders-read-secret";

    /// <summary>Each key with its name and scopes, for choosing one that has (or lacks) a route's scope.</summary>
    public static readonly IReadOnlyList<(string Key, string Name, string Scope)> Unrestricted =
        [(Ingest, "ingester", "ingest"), (Read, "reader", "read"), (Admin, "operator", "admin")];

    public static Dictionary<string, string?> For(SpecDatabase db)
    {
        var settings = ServiceSettings.For(db);
        settings["Cache:KeyPrefix"] = db.Name + ":";
        settings["Tail:PollInterval"] = "00:00:00.200";
        // The spec's client is not on loopback as far as the policy knows (the test server has no address): admin it is.
        settings["ApiKeys:Diagnostics"] = "Admin";
        (string Key, string Name, string Scope, string? Sources)[] keys =
        [
            (Ingest, "ingester", "ingest", null), (Read, "reader", "read", null), (Admin, "operator", "admin", null),
            (OrdersIngest, "orders-ingester", "ingest", "orders-*"), (OrdersRead, "orders-reader", "read", "orders-*"),
        ];
        for (var i = 0; i < keys.Length; i++)
        {
            settings[$"ApiKeys:Keys:{i}:Name"] = keys[i].Name;
            settings[$"ApiKeys:Keys:{i}:Sha256"] = Hash(keys[i].Key);
            settings[$"ApiKeys:Keys:{i}:Scopes:0"] = keys[i].Scope;
            if (keys[i].Sources is { } sources)
            {
                settings[$"ApiKeys:Keys:{i}:Sources:0"] = sources;
            }
        }

        return settings;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static HttpRequestMessage Request(HttpMethod method, string url, string? key, string? json = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }
}
