using Logbus.Storage.Writing;

namespace Logbus.Query.Search;

/// <summary>
/// Refuses, with a 400 naming the parameter, a query-string or route value that no stored event can hold (a NUL, an
/// unpaired surrogate): PostgreSQL would refuse it as a query parameter, which would otherwise surface as a 500. No
/// event can match such a value, so nothing is lost by refusing it.
/// </summary>
internal sealed class StorableParametersFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var errors = new QueryErrors();
        QueryParameters.RefuseUnsendable(request.Query, errors);
        foreach (var (name, value) in request.RouteValues)
        {
            if (value is string text && StorableValues.ProblemWithText(text) is { } problem)
            {
                errors.Add(name, $"'{name}' {problem}: no stored event holds such a value.");
            }
        }

        return errors.Any
            ? TypedResults.ValidationProblem(errors.ToDictionary(), title: "The parameters are not valid.")
            : await next(context);
    }
}
