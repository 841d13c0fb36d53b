using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Logbus.Specs.Imports;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Ingest;

/// <summary>
/// A CLEF line holding a lone surrogate escape in a property's name or value (found by ClefFuzzSpecs) is refused as that
/// line: a 400 naming it on the Seq route, a rejected line in an import, never an import that fails as a whole.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class LoneSurrogateClefSpecs : IAsyncLifetime
{
    private static readonly string Now = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartOnOwnDatabaseAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData("""{"@t":"NOW","@mt":"x","\udfff":1}""")]
    [InlineData("""{"@t":"NOW","@mt":"{A}","A":"\ud800"}""")]
    [InlineData("""{"@t":"NOW","@mt":"x","Application":"\ud800"}""")]
    public async Task The_Seq_route_answers_400_naming_the_line(string line)
    {
        var response = await _api.Client.PostAsync("/ingest/clef", new StringContent(
            $$"""{"@t":"{{Now}}","@m":"fine"}""" + "\n" + line.Replace("NOW", Now, StringComparison.Ordinal), Encoding.UTF8,
            "application/vnd.serilog.clef"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await _api.OutboxEventsAsync());
    }

    [Fact]
    public async Task An_import_rejects_the_line_and_stores_the_others()
    {
        var response = await _api.Client.PostAsync("/api/imports?format=clef", ImportFiles.Content([
            $$"""{"@t":"{{Now}}","@m":"first"}""",
            $$"""{"@t":"{{Now}}","@mt":"x","\udfff":1}""",
            $$"""{"@t":"{{Now}}","@mt":"{A}","A":"\ud800"}""",
            $$"""{"@t":"{{Now}}","@m":"last"}""",
        ]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((4, 2, 2), (answer.GetProperty("linesRead").GetInt64(), answer.GetProperty("accepted").GetInt64(),
            answer.GetProperty("rejected").GetInt64()));
    }
}
