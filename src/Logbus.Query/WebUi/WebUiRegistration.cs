namespace Logbus.Query.WebUi;

internal static class WebUiRegistration
{
    public static IHostApplicationBuilder AddWebUi(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<WebUiOptions>(builder.Configuration.GetSection(WebUiOptions.Section));
        return builder;
    }
}
