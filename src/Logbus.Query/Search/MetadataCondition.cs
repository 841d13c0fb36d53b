using System.Globalization;
using System.Text.Json.Nodes;

namespace Logbus.Query.Search;

/// <summary>
/// <c>meta.user.id=42</c>: the event's metadata has that value at that path. Query strings carry text, so a value that
/// reads as a JSON number, boolean or null also matches that typed value (<c>meta.loadTest=true</c> finds
/// <c>{"loadTest": true}</c> and <c>{"loadTest": "true"}</c>).
/// </summary>
public sealed record MetadataCondition(string Path, string Value)
{
    /// <summary>The containment documents (<c>metadata @&gt; doc</c>) any one of which satisfies the condition.</summary>
    public IReadOnlyList<string> ContainmentDocuments()
    {
        var documents = new List<string> { Nest(JsonValue.Create(Value)) };
        if (TypedValue() is { } typed)
        {
            documents.Add(Nest(typed));
        }

        return documents;
    }

    private JsonNode? TypedValue()
    {
        if (Value is "true" or "false")
        {
            return JsonValue.Create(Value == "true");
        }

        if (Value == "null")
        {
            return JsonValue.Create<string>(null);
        }

        return decimal.TryParse(Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out var number)
            ? JsonNode.Parse(Value.TrimStart('+'))
            : null;
    }

    private string Nest(JsonNode? leaf)
    {
        var node = leaf;
        foreach (var segment in Path.Split('.').Reverse())
        {
            node = new JsonObject { [segment] = node };
        }

        return node!.ToJsonString();
    }
}
