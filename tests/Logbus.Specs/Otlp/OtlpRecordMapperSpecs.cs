extern alias api;

using api::Logbus.Api.Otlp;
using api::Logbus.Api.Otlp.Wire;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Otlp;

/// <summary>
/// The mapper writes a request's records as Logbus JSON for the one validator. That JSON is a few hundred kB for a
/// request of 512 records: written into a buffer grown by doubling, it left about half a megabyte of garbage a request,
/// much of it in the large object heap, which only a full collection frees.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class OtlpRecordMapperSpecs
{
    [Fact]
    public void Mapping_a_request_again_after_its_events_are_disposed_reuses_the_JSON_buffer()
    {
        var mapper = new OtlpRecordMapper(Options.Create(new OtlpOptions()));
        var request = Request(512);
        for (var i = 0; i < 3; i++)
        {
            using var warm = mapper.Map(request, keySource: null);
            Assert.Equal(512, warm.Events.Count);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        using (var decoded = mapper.Map(request, keySource: null))
        {
            Assert.Equal(512, decoded.Events.Count);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // What is left is per record (its IncomingEvent and its fields, the message): about 530 bytes each (272 kB in
        // all when this was written, 1,214 kB before: the JSON buffer's doublings, two key sets, the timestamp's text and
        // two strings per property name of every record).
        Assert.True(allocated < 384 * 1024, $"mapping 512 records allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_requests_events_keep_their_values_while_another_request_is_mapped()
    {
        var mapper = new OtlpRecordMapper(Options.Create(new OtlpOptions()));
        using var first = mapper.Map(Request(512), keySource: null);
        var before = first.Events.Select(e => e.Event.Message!.Value.GetString()).ToList();

        for (var i = 0; i < 3; i++)
        {
            using var other = mapper.Map(Request(512, "another request's message, longer than the first's, to overwrite it"), keySource: null);
        }

        Assert.Equal(before, first.Events.Select(e => e.Event.Message!.Value.GetString()));
    }

    private static ExportLogsServiceRequest Request(int records, string? message = null)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "specs" } };
        for (var i = 0; i < records; i++)
        {
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = 1_765_000_000_000_000_000UL + (ulong)i,
                SeverityNumber = SeverityNumber.Info,
                Body = new AnyValue { StringValue = message ?? $"order {i} shipped to the warehouse in the north after a delay of {i % 97} minutes" },
                Attributes =
                {
                    new KeyValue { Key = "userId", Value = new AnyValue { StringValue = $"u-{i % 5000}" } },
                    new KeyValue { Key = "region", Value = new AnyValue { StringValue = "eu-west-1" } },
                    new KeyValue { Key = "attempt", Value = new AnyValue { IntValue = i % 3 } },
                },
            });
        }

        return new ExportLogsServiceRequest
        {
            ResourceLogs =
            {
                new ResourceLogs
                {
                    Resource = new Resource
                    {
                        Attributes =
                        {
                            new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "billing" } },
                            new KeyValue { Key = "host.name", Value = new AnyValue { StringValue = "node-7" } },
                        },
                    },
                    ScopeLogs = { scope },
                },
            },
        };
    }
}
