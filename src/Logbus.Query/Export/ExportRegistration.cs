using Logbus.ServiceDefaults;

namespace Logbus.Query.Export;

internal static class ExportRegistration
{
    /// <summary>The exporter, its settings (section <c>Export</c>) and the count of open exports.</summary>
    public static IServiceCollection AddLogExport(this IServiceCollection services)
    {
        services.AddValidatedOptions<ExportOptions>(ExportOptions.Section)
            .Validate(o => o.PageRetryDelay >= TimeSpan.Zero && o.PageRetryDelay <= LogExporter.MaxRetryWait,
                $"{ExportOptions.Section}:{nameof(ExportOptions.PageRetryDelay)} must be between 0 and {LogExporter.MaxRetryWait}.");
        services.AddSingleton<LogExporter>();
        services.AddSingleton<ExportStreams>();
        ExportMetrics.Touch();
        return services;
    }
}
