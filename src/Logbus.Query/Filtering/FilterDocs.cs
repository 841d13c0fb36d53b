namespace Logbus.Query.Filtering;

/// <summary>How the OpenAPI document describes <c>filter=</c>.</summary>
internal static class FilterDocs
{
    public const string Parameter = "An expression of the filter language (Seq's syntax), e.g. @Level = 'ERROR' and http.status >= 500 and "
        + "not StartsWith(@Message, 'health'). Combined with the other parameters by AND. See docs/filter-language.md.";
}
