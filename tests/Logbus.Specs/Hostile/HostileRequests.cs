using System.Buffers.Text;
using System.Text;
using static Logbus.Specs.Hostile.HostileBodies;

namespace Logbus.Specs.Hostile;

/// <summary>
/// The hostile-input table: every route of the Api, Worker and Query, with what a hostile or careless client sends it
/// and the answer it must get. A problem must name the field or the limit (its setting) it refused.
/// </summary>
public static class HostileRequests
{
    private const string Clef = "application/vnd.serilog.clef";
    private const long BombBytes = 256L * 1024 * 1024;
    private const string UnknownImport = "/api/imports/00000000-0000-0000-0000-00000000dead";

    public static IReadOnlyList<HostileRequest> All { get; } =
    [
        // Api: POST /api/logs
        Api("malformed JSON", "/api/logs", Text("""{"message":"m","source":"""), 400, null),
        Api("a body that is not UTF-8", "/api/logs", NotUtf8("""{"message":"bad X","source":"s"}"""), 400, null),
        Api("an escaped lone surrogate in the message", "/api/logs", Text("""{"message":"a \ud800 b","source":"s"}"""), 400, "message"),
        Api("a NUL in the message", "/api/logs", Text("""{"message":"a \u0000 b","source":"s"}"""), 400, "message"),
        Api("a number jsonb cannot hold", "/api/logs", Text("""{"message":"m","source":"s","metadata":{"n":1e999999}}"""), 400, "metadata"),
        Api("1 MB of metadata", "/api/logs", Text(Event("{\"k\":\"" + new string('x', 1 << 20) + "\"}")), 400,
            "metadata"),
        Api("metadata 10,000 levels deep", "/api/logs", Text(Event(Nested(10_000))), 400, "Ingest:MaxMetadataDepth"),
        Api("metadata with 10,000 keys", "/api/logs", Text(Event(ManyKeys(10_000))), 400,
            "metadata"),
        Api("a gzip bomb (256 MB of zeros)", "/api/logs", Bomb("gzip", "application/json", "", BombBytes, 0), 413, "MaxBodyBytes"),
        Api("a brotli bomb (256 MB in one string)", "/api/logs", Bomb("br", "application/json", """{"message":" """, BombBytes), 413,
            "MaxBodyBytes"),
        Api("an unknown Content-Encoding", "/api/logs", () =>
        {
            var content = Text("""{"message":"m","source":"s"}""")();
            content.Headers.ContentEncoding.Add("zstd");
            return content;
        }, 415, "zstd"),
        Api("a timestamp in year 1", "/api/logs", Text("""{"message":"m","source":"s","timestamp":"0001-01-01T00:00:00Z"}"""), 400,
            "timestamp"),
        Api("a timestamp in year 9999", "/api/logs", Text("""{"message":"m","source":"s","timestamp":"9999-12-31T23:59:59Z"}"""), 400,
            "timestamp"),
        Api("a timestamp past DateTimeOffset's range", "/api/logs", Text("""{"message":"m","source":"s","timestamp":"+275760-09-13T00:00:00Z"}"""),
            400, "timestamp"),

        // Api: POST /api/logs/batch and the tutorial's routes
        Api("one unstorable event among good ones", "/api/logs/batch",
            Text("""[{"message":"good","source":"s"},{"message":"bad","source":"s","metadata":{"k":"\udfff"}}]"""), 400, "metadata"),
        Api("partial=maybe", "/api/logs/batch?partial=maybe", Text("""[{"message":"m","source":"s"}]"""), 400, "partial"),
        Api("100,000 empty events", "/api/logs/batch", Text("[" + string.Join(',', Enumerable.Repeat("{}", 100_000)) + "]"), 400, "message"),
        Api("a gzip bomb on a batch", "/api/logs/batch", Bomb("gzip", "application/json", "[", BombBytes, (byte)' '), 413, "MaxBodyBytes"),
        Api("a lone surrogate in the source (tutorial)", "/producer/api/logs/ingest", Text("""{"message":"m","source":"s\udbff"}"""), 400,
            "source"),
        Api("a NUL in a metadata key (tutorial async)", "/producer/api/logs/ingest/async",
            Text("""{"message":"m","source":"s","metadata":{"a\u0000":1}}"""), 400, "metadata"),
        Api("a brotli bomb on the tutorial's batch", "/producer/api/logs/batch", Bomb("br", "application/json", "[", BombBytes, (byte)' '), 413,
            "MaxBodyBytes"),

        // Api: Seq (CLEF and its JSON), where the template comes from the client
        Api("CLEF template bomb {A,1000000000}", "/ingest/clef", Text("""{"@mt":"{A,1000000000}","A":"x","Application":"clef"}""", Clef),
            201, null, stores: 1),
        Api("CLEF template bomb {A,-2147483648}", "/api/events/raw?clef",
            Text("""{"@mt":"{A,-2147483648}","A":"x","Application":"clef"}""", Clef), 201, null, stores: 1),
        Api("CLEF that is not UTF-8", "/ingest/clef", NotUtf8("""{"@mt":"bad X","Application":"clef"}""", Clef), 400, null),
        Api("a CLEF property jsonb cannot hold", "/ingest/clef", Text("""{"@mt":"m","Application":"clef","N":-1e999999}""", Clef), 400,
            "metadata"),
        Api("a CLEF event dated 9999", "/ingest/clef", Text("""{"@t":"9999-12-31T00:00:00Z","@mt":"m","Application":"clef"}""", Clef), 400,
            "timestamp"),
        Api("malformed Seq JSON", "/api/events/raw", Text("""{"Events":[{"MessageTemplate":"""), 400, null),
        Api("a lone surrogate in Seq JSON", "/api/events/raw",
            Text("""{"Events":[{"MessageTemplate":"m \udc00","Properties":{"Application":"s"}}]}"""), 400, "Unicode"),

        // Api: OTLP/HTTP, whose refusals are google.rpc.Status messages
        Otlp("truncated OTLP protobuf", OtlpBodies.Truncated(), 400, "truncated"),
        Otlp("an OTLP field in the wrong wire type", OtlpBodies.WrongWireType(), 400, "wire type"),
        Otlp("OTLP with 1,000,000 empty log records", OtlpBodies.ManyRecords(1_000_000), 400, "MaxRecordsPerRequest"),
        Otlp("an OTLP AnyValue nested 2,000 deep", OtlpBodies.DeepAnyValue(2_000), 400, "MaxNestingDepth"),
        Otlp("OTLP/JSON nested 10,000 levels deep", Text("{\"resourceLogs\":" + Nested(10_000) + "}"), 400, "Otlp:MaxNestingDepth"),
        Otlp("an OTLP length prefix past the end of the body", OtlpBodies.LengthPastEnd(), 400, "truncated"),
        Otlp("a gzip bomb as OTLP", Bomb("gzip", "application/x-protobuf", "", BombBytes, 0), 413, "MaxBodyBytes"),
        Otlp("OTLP/JSON with a trace id that is not hex", Text("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"zz"}]}]}]}"""),
            400, "hex"),

        // Api: imports
        Api("a CSV with an unterminated quote on line 2, then 1,000 good lines", "/api/imports?fileName=quote.csv",
            Csv("timestamp,level,source,message", [$"{Now},INFO,csv,\"never closed", .. Enumerable.Range(0, 1000).Select(i =>
                $"{Now},INFO,csv,good line {i}")]), 202, "\"rejected\":1", stores: 1000),
        Api("a CSV with 10,000 columns", "/api/imports?fileName=wide.csv",
            Csv("timestamp,level,source,message," + string.Join(',', Enumerable.Range(0, 10_000).Select(i => $"column{i}")),
                [$"{Now},INFO,csv,wide," + string.Join(',', Enumerable.Repeat("value", 10_000))]), 202, "\"rejected\":1"),
        Api("a gzip import holding one 1 GB line", "/api/imports?fileName=huge.ndjson.gz",
            Bomb("gzip", "application/x-ndjson", """{"source":"s","message":" """, Gigabyte), 202, "\"rejected\":1"),
        Api("an import whose file name is 1,000 characters", "/api/imports?fileName=" + new string('f', 1000),
            Text("""{"message":"m","source":"s"}""", "application/x-ndjson"), 400, "fileName"),
        Api("an import whose file name holds a NUL", "/api/imports?fileName=a%00b.ndjson",
            Text("""{"message":"m","source":"s"}""", "application/x-ndjson"), 400, "fileName"),
        Api("an import in an unknown format", "/api/imports?format=xml", Text("<log/>", "text/csv"), 415, "'xml'"),
        Api("an Idempotency-Key of 10,000 characters", "/api/imports", Text("""{"message":"m","source":"s"}""", "application/x-ndjson"), 400,
            "Idempotency-Key") with { IdempotencyKey = new string('k', 10_000) },
        Api("cancel an import nobody started", UnknownImport, null, 404, "00000000-0000-0000-0000-00000000dead", method: "DELETE"),
        Get(HostileService.Api, "list imports with limit=-1", "/api/imports?limit=-1", 400, "limit"),

        // Worker: dead letters
        Get(HostileService.Worker, "a dead-letter limit=abc", "/api/dead-letters?limit=abc", 400, "limit"),
        Get(HostileService.Worker, "a negative dead-letter limit", "/api/dead-letters?limit=-1", 400, "limit"),
        Get(HostileService.Worker, "a dead-letter limit past int", "/api/dead-letters?limit=99999999999", 400, "limit"),
        Worker("replay an id that is not partition-offset", "/api/dead-letters/abc/replay", 400, "id"),
        Worker("replay from a partition that does not exist", "/api/dead-letters/99999-0/replay", 404, "99999-0"),
        Worker("replay the largest offset", "/api/dead-letters/0-9223372036854775807/replay", 404, "0-9223372036854775807"),

        // Query: search
        Get(HostileService.Query, "a cursor that is not base64url", "/api/query/logs?cursor=%25%25%25not-a-cursor", 400, "cursor"),
        Get(HostileService.Query, "a cursor whose time overflows", "/api/query/logs?cursor=" + Cursor("1:99999999999999999999:x"), 400, "cursor"),
        Get(HostileService.Query, "a cursor holding a NUL", "/api/query/logs?cursor=" + Cursor("1:638000000000000000:a\0b"), 400, "cursor"),
        Get(HostileService.Query, "a cursor of 6,000 characters", "/api/query/logs?cursor=" + new string('A', 6000), 400, "cursor"),
        Get(HostileService.Query, "SQL in source, q and metadata", "/api/query/logs?source=" + Uri.EscapeDataString("x' OR '1'='1")
            + "&q=" + Uri.EscapeDataString("'; DROP TABLE log_events; --") + "&meta.k=" + Uri.EscapeDataString("\" OR 1=1"), 200, "\"items\":[]"),
        Get(HostileService.Query, "SQL in a metadata path", "/api/query/logs?" + Uri.EscapeDataString("meta.a'));DROP TABLE log_events;--") + "=1",
            200, "\"items\":[]"),
        Get(HostileService.Query, "a NUL in q", "/api/query/logs?q=a%00b", 400, "q"),
        Get(HostileService.Query, "a NUL in source", "/api/query/logs?source=%00", 400, "source"),
        Get(HostileService.Query, "a NUL in a metadata value", "/api/query/logs?meta.k=%00", 400, "meta.k"),
        Get(HostileService.Query, "a NUL in traceId", "/api/query/logs?traceId=%00", 400, "traceId"),
        Get(HostileService.Query, "a negative search limit", "/api/query/logs?limit=-1", 400, "limit"),
        Get(HostileService.Query, "a limit past long", "/api/query/logs?limit=99999999999999999999", 400, "limit"),
        Get(HostileService.Query, "a reversed range", "/api/query/logs?from=2026-11-24T10:00:00Z&to=2026-11-24T09:00:00Z", 400, "from"),
        Get(HostileService.Query, "a range ending past year 9999", "/api/query/logs?to=%2B275760-09-13T00:00:00Z", 400, "to"),
        Raw("an event id holding a NUL (Kestrel refuses a NUL in a path)", "/api/query/logs/a%00b", 400),
        Get(HostileService.Query, "an event id of 5,000 characters", "/api/query/logs/" + new string('i', 5000), 404, "No such event"),
        Get(HostileService.Query, "stats with hoursBack past int", "/api/query/stats?hoursBack=2147483648", 400, "hoursBack"),
        Get(HostileService.Query, "sources with a negative hoursBack", "/api/query/sources?hoursBack=-1", 400, "hoursBack"),
        Get(HostileService.Query, "a tail whose q holds a NUL", "/api/query/tail?q=%00", 400, "q"),
        Get(HostileService.Query, "the tutorial's page 2,147,483", "/gateway/api/query/logs?page=2147483&size=100", 400, "page"),
        Get(HostileService.Query, "the tutorial's search for a NUL", "/gateway/api/query/search?query=%00", 400, "query"),
        Raw("the tutorial's event id holding a NUL (Kestrel refuses it)", "/gateway/api/query/logs/%00", 400),
        Get(HostileService.Query, "the tutorial's stats with a negative hoursBack", "/gateway/api/query/stats?hoursBack=-5", 400, "hoursBack"),
        Get(HostileService.Query, "an import id that is no guid", "/api/imports/..%2f..%2fetc%2fpasswd", 404, null),
        Get(HostileService.Query, "list imports with a limit past int", "/api/imports?limit=2147483648", 400, "limit"),

        // Query: the web UI's static files; the answers must not be the file asked for
        Raw("web UI: dot segments to /etc/passwd", "/../../../../../../etc/passwd", 404),
        Raw("web UI: encoded dot segments to /etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 404),
        Raw("web UI: encoded slashes to the service's settings", "/assets/..%2f..%2fappsettings.json", 404),
        Raw("web UI: backslashes to the service's settings", "/..%5c..%5cappsettings.json", 404),
        Raw("web UI: a NUL in a static file's name", "/assets/index%00.js", 400),
    ];

    /// <summary>The case names, for the theory (the rows themselves are not serializable).</summary>
    public static TheoryData<string> Names() => [.. All.Select(r => r.Name)];

    public static HostileRequest Named(string name) => All.Single(r => r.Name == name);

    private static HostileRequest Api(string name, string target, Func<HttpContent>? body, int status, string? mentions, int stores = 0,
        string method = "POST") =>
        new(name, HostileService.Api, method, target, body, status, mentions, stores);

    private static HostileRequest Otlp(string name, Func<HttpContent> body, int status, string mentions) =>
        new(name, HostileService.Api, "POST", "/v1/logs", body, status, mentions)
        {
            ProblemMediaType = body().Headers.ContentType?.MediaType == "application/json" ? "application/json" : "application/x-protobuf",
        };

    private static HostileRequest Worker(string name, string target, int status, string? mentions) =>
        new(name, HostileService.Worker, "POST", target, null, status, mentions);

    private static HostileRequest Get(HostileService service, string name, string target, int status, string? mentions) =>
        new(name, service, "GET", target, null, status, mentions);

    private static HostileRequest Raw(string name, string target, int status) =>
        new(name, HostileService.Query, "RAW GET", target, null, status, null);

    private static string Event(string metadata) => """{"message":"m","source":"s","metadata":""" + metadata + "}";

    private static string Cursor(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
