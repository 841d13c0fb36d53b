using Logbus.ServiceDefaults.Resilience;
using Microsoft.Extensions.Options;

namespace Logbus.Query.Export;

/// <summary>
/// Counts exports streaming, in total and per client (API key, or address without one). The total bounds what exports
/// hold together (a page of memory each, a read turn per page for as long as downloads last); the per-client cap keeps
/// one script from taking every stream.
/// </summary>
public sealed class ExportStreams(IOptions<ExportOptions> options)
{
    private readonly ExportOptions _options = options.Value;
    private readonly ClientSlots _slots = new(options.Value.MaxConcurrent, options.Value.MaxConcurrentPerClient);

    /// <summary>A lease to dispose when the export ends, or the setting whose cap is reached (<c>total</c> or <c>client</c>).</summary>
    public (IDisposable? Lease, string? Setting, string? Cap) TryOpen(string client) => _slots.TryTake(client) switch
    {
        (_, SlotCap.Total) => (null, $"{ExportOptions.Section}:{nameof(ExportOptions.MaxConcurrent)} = {_options.MaxConcurrent}", "total"),
        (_, SlotCap.Client) => (null,
            $"{ExportOptions.Section}:{nameof(ExportOptions.MaxConcurrentPerClient)} = {_options.MaxConcurrentPerClient}", "client"),
        var (lease, _) => (lease, null, null),
    };
}
