using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Logbus.ServiceDefaults.Security;

/// <summary>
/// Recognizes the API key of a request, from <c>X-Api-Key</c>, Seq's <c>X-Seq-ApiKey</c>, or <c>?apiKey=</c>, among
/// the keys of configuration and of the key file (<see cref="ApiKeyOptions.File"/>); both are followed as they change.
/// </summary>
public sealed partial class ApiKeys : IDisposable
{
    private const string ItemKey = "Logbus.ApiKey";

    private readonly IOptionsMonitor<ApiKeyOptions> _options;
    private readonly ILogger<ApiKeys> _logger;
    private readonly IConfigurationRoot? _file;
    private readonly List<IDisposable> _subscriptions = [];
    private volatile KnownKey[] _known = [];

    public ApiKeys(IOptionsMonitor<ApiKeyOptions> options, ILogger<ApiKeys> logger)
    {
        _options = options;
        _logger = logger;
        if (options.CurrentValue.File is { Length: > 0 } path)
        {
            var full = Path.GetFullPath(path);
            _file = new ConfigurationBuilder()
                .SetBasePath(Path.GetDirectoryName(full)!)
                .AddJsonFile(source =>
                {
                    source.Path = Path.GetFileName(full);
                    source.Optional = true;
                    // Followed by the watcher below, which watches the file's folder alone.
                    source.ReloadOnChange = false;
                    // A half-written or broken file revokes its keys (fails closed) and says why, instead of ending the process.
                    source.OnLoadException = context =>
                    {
                        LogFileUnreadable(_logger, full, context.Exception.Message);
                        context.Ignore = true;
                    };
                    source.ResolveFileProvider();
                })
                .Build();
            _subscriptions.Add(ChangeToken.OnChange(_file.GetReloadToken, Reload));
            _subscriptions.Add(new KeyFileWatcher(full, TimeSpan.FromMilliseconds(100), _file.Reload));
        }

        _subscriptions.Add(options.OnChange(_ => Reload())!);
        Reload();
    }

    /// <summary>Whether any key is configured: then every route needs one.</summary>
    public bool Required => _known.Length > 0;

    public int AnonymousRequestsPerSecond => _options.CurrentValue.AnonymousRequestsPerSecond;

    public DiagnosticsAccess Diagnostics => _options.CurrentValue.Diagnostics;

    /// <summary>
    /// The identity of the presented key; null when none was presented, it is not one of ours, or no keys are
    /// configured. A blank value or the text <c>null</c> counts as no key: Seq clients configured without a key send
    /// one of those.
    /// </summary>
    public ApiKeyIdentity? Identify(HttpContext context, out bool presented)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = new[]
        {
            context.Request.Headers["X-Api-Key"].FirstOrDefault(),
            context.Request.Headers["X-Seq-ApiKey"].FirstOrDefault(),
            context.Request.Query["apiKey"].FirstOrDefault(),
        }.FirstOrDefault(IsKey);
        presented = key is not null;
        var known = _known;
        if (!presented || known.Length == 0)
        {
            return null;
        }

        if (context.Items.TryGetValue(ItemKey, out var cached))
        {
            return (ApiKeyIdentity?)cached;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key!));
        ApiKeyIdentity? identity = null;
        // Every key is compared, in constant time, so the time taken says nothing about which (or how much) matched.
        foreach (var candidate in known)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, candidate.Hash))
            {
                identity = candidate.Identity;
            }
        }

        context.Items[ItemKey] = identity;
        return identity;
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        (_file as IDisposable)?.Dispose();
    }

    private void Reload()
    {
        var entries = _options.CurrentValue.Keys.AsEnumerable();
        if (_file is not null)
        {
            var fromFile = new ApiKeyOptions();
            _file.Bind(fromFile);
            entries = entries.Concat(fromFile.Keys);
        }

        var known = new List<KnownKey>();
        foreach (var entry in entries)
        {
            if (ApiKeyValidation.ProblemWith(entry) is { } problem)
            {
                LogKeyIgnored(_logger, entry.Name, problem);
                continue;
            }

            IReadOnlyList<string> scopes = entry.Scopes.Count == 0 ? [KeyScopes.Ingest] : [.. entry.Scopes.Select(s => s.Trim().ToLowerInvariant())];
            known.Add(new KnownKey(Convert.FromHexString(entry.Sha256),
                new ApiKeyIdentity(entry.Name, scopes, [.. entry.Sources], entry.Source, entry.RequestsPerSecond)));
        }

        _known = [.. known];
        LogKeysLoaded(_logger, known.Count);
    }

    private static bool IsKey(string? value) => !string.IsNullOrWhiteSpace(value) && value.Trim() != "null";

    private sealed record KnownKey(byte[] Hash, ApiKeyIdentity Identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys loaded: {Count}")]
    private static partial void LogKeysLoaded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key {Name} ignored: {Problem}")]
    private static partial void LogKeyIgnored(ILogger logger, string name, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "The API key file {Path} could not be read ({Reason}); its keys are not accepted until it can")]
    private static partial void LogFileUnreadable(ILogger logger, string path, string reason);
}
