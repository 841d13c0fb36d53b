using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Logbus.Query;

/// <summary>
/// OpenAPI descriptions of query-string parameters that handlers read themselves (to answer bad values with a
/// ProblemDetails that names the parameter, and to accept dynamic names such as <c>meta.userId</c>).
/// </summary>
internal static class QueryParameterDocs
{
    public static TBuilder DocumentQuery<TBuilder>(this TBuilder builder, params (string Name, string Description)[] parameters)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var (name, description) in parameters)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Description = description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }

            return Task.CompletedTask;
        });
}
