using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Logbus.ServiceDefaults.Security;

/// <summary>
/// Route metadata for a protocol with error answers of its own (OTLP's <c>google.rpc.Status</c>, gRPC statuses): a key
/// refusal on such a route is written in that format, keeping its status code and headers, so the protocol's clients
/// read it as they read every other error.
/// </summary>
public interface IKeyRefusalFormat
{
    IResult Format(HttpContext context, ProblemHttpResult refusal);
}
