using Logbus.ServiceDefaults;

namespace Logbus.Api.Imports;

internal static class ImportRegistration
{
    /// <summary>Bulk imports: the streaming reader, the upload into chunks, and idempotency keys (import status comes with the storage).</summary>
    public static IHostApplicationBuilder AddImports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ImportUploadOptions>(ImportUploadOptions.Section);
        builder.Services.AddSingleton<ImportRecordReader>();
        builder.Services.AddSingleton<ImportUpload>();
        builder.Services.AddSingleton<ImportIdempotency>();
        builder.Services.AddSingleton<ImportAdmission>();
        return builder;
    }
}
