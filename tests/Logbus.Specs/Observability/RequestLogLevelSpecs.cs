using Logbus.ServiceDefaults.Logging;
using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace Logbus.Specs.Observability;

[Trait("Kind", "Unit")]
public sealed class RequestLogLevelSpecs
{
    [Theory]
    [InlineData("/api/query/logs/not-stored-yet", 404, LogEventLevel.Debug)]
    [InlineData("/api/logs", 202, LogEventLevel.Debug)]
    [InlineData("/health/ready", 503, LogEventLevel.Debug)]
    [InlineData("/api/logs", 400, LogEventLevel.Warning)]
    [InlineData("/api/logs", 413, LogEventLevel.Warning)]
    [InlineData("/api/logs/batch", 429, LogEventLevel.Warning)]
    [InlineData("/api/query/logs", 503, LogEventLevel.Error)]
    public void A_request_is_logged_at_the_level_its_answer_deserves(string path, int status, LogEventLevel expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Response.StatusCode = status;

        Assert.Equal(expected, RequestLogLevel.For(context, exception: null));
    }

    [Fact]
    public void An_unhandled_exception_is_an_error_whatever_the_status()
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/query/logs/x";
        context.Response.StatusCode = 404;

        Assert.Equal(LogEventLevel.Error, RequestLogLevel.For(context, new InvalidOperationException("boom")));
    }
}
