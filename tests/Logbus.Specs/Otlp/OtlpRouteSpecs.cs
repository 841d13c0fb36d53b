extern alias api;

using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using api::Logbus.Api.Otlp.Wire;
using Google.Protobuf;
using Logbus.Specs.Infrastructure;

namespace Logbus.Specs.Otlp;

/// <summary>
/// OTLP/HTTP at the wire: OTLP/JSON as the specification shows it, gzip, partial success, a malformed body and API keys,
/// each checked in what the request left in the outbox.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class OtlpRouteSpecs
{
    private const string OrdersKey = "orders-secret";

    [Fact]
    public async Task OTLP_JSON_in_the_specifications_shape_maps_every_field_and_keeps_attribute_kinds()
    {
        await using var api = await ApiHost.StartOnOwnDatabaseAsync();
        const string body = """
            {"resourceLogs":[{
              "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}},
                                        {"key":"host.name","value":{"stringValue":"web-1"}}]},
              "scopeLogs":[{
                "scope":{"name":"checkout.payments","version":"2.1.0"},
                "logRecords":[{
                  "timeUnixNano":"1700000000123456700","observedTimeUnixNano":"1700000001000000000",
                  "severityNumber":17,"severityText":"Error",
                  "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
                  "eventName":"payment.declined",
                  "body":{"stringValue":"Payment declined"},
                  "attributes":[
                    {"key":"string.attribute","value":{"stringValue":"some string"}},
                    {"key":"boolean.attribute","value":{"boolValue":true}},
                    {"key":"int.attribute","value":{"intValue":"10"}},
                    {"key":"double.attribute","value":{"doubleValue":637.704}},
                    {"key":"bytes.attribute","value":{"bytesValue":"AQID"}},
                    {"key":"array.attribute","value":{"arrayValue":{"values":[{"stringValue":"many"},{"intValue":"2"}]}}},
                    {"key":"map.attribute","value":{"kvlistValue":{"values":[{"key":"inner","value":{"boolValue":false}}]}}},
                    {"key":"exception.type","value":{"stringValue":"CardDeclinedException"}},
                    {"key":"exception.message","value":{"stringValue":"insufficient funds"}}],
                  "someFutureField":{"ignored":true}
                },{
                  "observedTimeUnixNano":"1700000002000000000","severityText":"warn","body":{"stringValue":"No time, text level"}
                }]
              }]
            }]}
            """;

        using var response = await api.Client.PostAsync("/v1/logs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        // An ExportLogsServiceResponse without partial_success: every record was taken.
        Assert.Empty(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateObject());
        var events = await api.OutboxEventsAsync();
        Assert.Equal(2, events.Count);
        var declined = events[0];
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(1700000000123456700 / 100), declined.Timestamp);
        Assert.Equal("ERROR", declined.Level);
        Assert.Equal("Payment declined", declined.Message);
        Assert.Equal("checkout", declined.Source);
        Assert.Equal("5b8efff798038103d269b633813fc60c", declined.TraceId);
        Assert.Equal("eee19b7ec3c1b174", declined.SpanId);
        Assert.Equal("CardDeclinedException: insufficient funds", declined.Exception);
        var metadata = declined.Metadata!.Value;
        Assert.Equal("some string", metadata.GetProperty("string.attribute").GetString());
        Assert.True(metadata.GetProperty("boolean.attribute").GetBoolean());
        Assert.Equal(10, metadata.GetProperty("int.attribute").GetInt64());
        Assert.Equal(637.704, metadata.GetProperty("double.attribute").GetDouble());
        Assert.Equal("AQID", metadata.GetProperty("bytes.attribute").GetString());
        Assert.Equal("""["many",2]""", metadata.GetProperty("array.attribute").GetRawText());
        Assert.False(metadata.GetProperty("map.attribute").GetProperty("inner").GetBoolean());
        Assert.Equal("web-1", metadata.GetProperty("resource").GetProperty("host.name").GetString());
        Assert.Equal("checkout", metadata.GetProperty("resource").GetProperty("service.name").GetString());
        Assert.Equal("checkout.payments", metadata.GetProperty("scope").GetProperty("name").GetString());
        Assert.Equal("2.1.0", metadata.GetProperty("scope").GetProperty("version").GetString());
        Assert.Equal("payment.declined", metadata.GetProperty("eventName").GetString());
        Assert.False(metadata.TryGetProperty("exception.type", out _));

        var second = events[1];
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(1700000002000000000 / 100), second.Timestamp);
        Assert.Equal("WARN", second.Level);
        Assert.Null(second.TraceId);
    }

    [Fact]
    public async Task A_gzip_protobuf_batch_is_stored_and_answered_in_protobuf()
    {
        await using var api = await ApiHost.StartOnOwnDatabaseAsync();
        var request = Request("gzip-app", Enumerable.Range(0, 50).Select(i => Record($"record {i}", SeverityNumber.Info)));
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            request.WriteTo(gzip);
        }

        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await api.Client.PostAsync("/ingest/otlp/v1/logs", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var answer = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(answer.PartialSuccess);
        var events = await api.OutboxEventsAsync();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"record {i}"), events.Select(e => e.Message));
        Assert.All(events, e => Assert.Equal(("gzip-app", "INFO"), (e.Source, e.Level)));
    }

    [Fact]
    public async Task Records_that_fail_validation_are_counted_in_partial_success_and_the_rest_is_stored()
    {
        await using var api = await ApiHost.StartOnOwnDatabaseAsync();
        var bad = Record("bad ids", SeverityNumber.Warn);
        bad.TraceId = ByteString.CopyFrom(1, 2, 3);
        var request = Request("partial-app", [Record("good 1", SeverityNumber.Debug), bad, new LogRecord(), Record("good 2", SeverityNumber.Fatal)]);

        using var response = await api.Client.PostAsync("/v1/logs", Protobuf(request));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, answer.PartialSuccess.RejectedLogRecords);
        Assert.Contains("record 1: traceId", answer.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("record 2: message", answer.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        var events = await api.OutboxEventsAsync();
        Assert.Equal([("good 1", "DEBUG"), ("good 2", "FATAL")], events.Select(e => (e.Message, e.Level)));
    }

    [Fact]
    public async Task A_malformed_body_gets_400_with_a_google_rpc_Status_and_stores_nothing()
    {
        await using var api = await ApiHost.StartOnOwnDatabaseAsync();
        var whole = Request("app", [Record("cut short", SeverityNumber.Info)]).ToByteArray();
        var content = new ByteArrayContent(whole[..^3]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        using var response = await api.Client.PostAsync("/v1/logs", content);
        using var json = await api.Client.PostAsync("/v1/logs", new StringContent("""{"resourceLogs":[{"scopeLogs":""", Encoding.UTF8,
            "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(3, status.Code);
        Assert.Contains("truncated", status.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"code\": 3", await json.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await api.OutboxEventsAsync());
    }

    [Fact]
    public async Task With_keys_configured_a_request_without_one_gets_401_and_the_keys_source_names_records_without_a_service()
    {
        await using var db = await SpecDatabase.CreateAsync();
        await using var api = ApiHost.Start(db, new Dictionary<string, string?>
        {
            ["ApiKeys:Keys:0:Name"] = "orders",
            ["ApiKeys:Keys:0:Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OrdersKey))),
            ["ApiKeys:Keys:0:Source"] = "orders-service",
        });
        var request = new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { ScopeLogs = { new ScopeLogs
        {
            LogRecords = { Record("keyed", SeverityNumber.Info) },
        } } } } };

        using var anonymous = await api.Client.PostAsync("/v1/logs", Protobuf(request));
        using var keyed = new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = Protobuf(request) };
        keyed.Headers.Add("X-Api-Key", OrdersKey);
        using var accepted = await api.Client.SendAsync(keyed);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(16, Status.Parser.ParseFrom(await anonymous.Content.ReadAsByteArrayAsync()).Code);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var stored = Assert.Single(await api.OutboxEventsAsync());
        Assert.Equal(("keyed", "orders-service"), (stored.Message, stored.Source));
    }

    internal static ExportLogsServiceRequest Request(string service, IEnumerable<LogRecord> records) => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } } },
                ScopeLogs = { new ScopeLogs { Scope = new InstrumentationScope { Name = "specs" }, LogRecords = { records } } },
            },
        },
    };

    internal static LogRecord Record(string message, SeverityNumber severity) => new()
    {
        TimeUnixNano = (ulong)(DateTimeOffset.UtcNow.AddMinutes(-1) - DateTimeOffset.UnixEpoch).Ticks * 100,
        SeverityNumber = severity,
        Body = new AnyValue { StringValue = message },
    };

    internal static ByteArrayContent Protobuf(IMessage message)
    {
        var content = new ByteArrayContent(message.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }
}
