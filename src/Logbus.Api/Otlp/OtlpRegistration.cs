using Logbus.ServiceDefaults;

namespace Logbus.Api.Otlp;

internal static class OtlpRegistration
{
    /// <summary>OTLP logs ingest: its settings, decoders and the extra ports (4318, 4317) when configured.</summary>
    public static IHostApplicationBuilder AddOtlp(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<OtlpOptions>(OtlpOptions.Section);
        builder.Services.AddSingleton<OtlpRecordMapper>();
        builder.Services.AddSingleton<OtlpProtobufDecoder>();
        builder.Services.AddSingleton<OtlpJsonDecoder>();
        OtlpListeners.AddTo(builder.Configuration);
        return builder;
    }
}
