extern alias api;

using System.Net.Http.Headers;
using api::Logbus.Api.Otlp.Wire;
using Google.Protobuf;
using Logbus.Bench.Data;

namespace Logbus.Bench.Load;

/// <summary>
/// An OTLP/HTTP protobuf export request of generated events, shaped as the .NET exporter sends them: one resource per
/// source (its <c>service.name</c>), one scope, each record with time, severity, body and attributes.
/// </summary>
internal static class OtlpBatch
{
    private static readonly MediaTypeHeaderValue ProtobufType = new("application/x-protobuf");

    public static HttpRequestMessage Post(IEnumerable<GeneratedEvent> events)
    {
        var content = new ByteArrayContent(Request(events).ToByteArray());
        content.Headers.ContentType = ProtobufType;
        return new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = content };
    }

    public static ExportLogsServiceRequest Request(IEnumerable<GeneratedEvent> events)
    {
        var request = new ExportLogsServiceRequest();
        foreach (var bySource in events.GroupBy(e => e.Source))
        {
            var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Logbus.Bench" } };
            scope.LogRecords.AddRange(bySource.Select(Record));
            request.ResourceLogs.Add(new ResourceLogs
            {
                Resource = new Resource { Attributes = { Text("service.name", bySource.Key) } },
                ScopeLogs = { scope },
            });
        }

        return request;
    }

    private static LogRecord Record(GeneratedEvent e)
    {
        var record = new LogRecord
        {
            TimeUnixNano = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100,
            SeverityNumber = e.Level switch
            {
                "TRACE" => SeverityNumber.Trace,
                "DEBUG" => SeverityNumber.Debug,
                "WARN" => SeverityNumber.Warn,
                "ERROR" => SeverityNumber.Error,
                "FATAL" => SeverityNumber.Fatal,
                _ => SeverityNumber.Info,
            },
            Body = new AnyValue { StringValue = e.Message },
            Attributes =
            {
                Text("userId", e.UserId),
                Text("region", e.Region),
                new KeyValue { Key = "httpStatus", Value = new AnyValue { IntValue = e.HttpStatus } },
            },
        };
        if (e.TraceId is { Length: 32 } traceId)
        {
            record.TraceId = ByteString.CopyFrom(Convert.FromHexString(traceId));
        }

        return record;
    }

    private static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };
}
