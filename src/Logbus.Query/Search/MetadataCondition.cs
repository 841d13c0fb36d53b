using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Logbus.Storage.Writing;

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

        // A number PostgreSQL's numeric cannot hold (1e-30000) is in no stored document, and jsonb would refuse the query.
        if (!decimal.TryParse(Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var number) || !StorableValues.IsStorableNumber(Value.TrimStart('+')))
        {
            return null;
        }

        try
        {
            // As written when it is JSON, so jsonb compares the number the client typed, digit for digit.
            return JsonNode.Parse(Value.TrimStart('+'));
        }
        catch (JsonException)
        {
            // A number JSON would not spell that way (01, 1., .5): its value.
            return JsonValue.Create(number);
        }
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
