using Logbus.ServiceDefaults;

namespace Logbus.Query.WebUi;

internal static class WebUiRegistration
{
    public static IHostApplicationBuilder AddWebUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<WebUiOptions>(WebUiOptions.Section);
        return builder;
    }
}
