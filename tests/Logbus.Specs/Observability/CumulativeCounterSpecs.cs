using System.Diagnostics.Metrics;
using System.Text;
using Logbus.ServiceDefaults.Monitoring;

namespace Logbus.Specs.Observability;

/// <summary>
/// A Logbus counter as a scrape shows it through prometheus-net's meter adapter, the way every service exports its
/// meters: on <c>/metrics</c> from zero, a total per tag set, and still there after it stayed idle for longer than the
/// adapter keeps an idle series.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class CumulativeCounterSpecs
{
    [Fact]
    public async Task A_counter_is_scraped_from_zero_with_a_total_per_tag_set_and_outlasts_the_adapter_s_idle_expiry()
    {
        using var meter = new Meter("spec_" + Guid.NewGuid().ToString("N")[..8]);
        var plain = new CumulativeCounter(meter, "plain_total", null, "A counter without tags.");
        var tagged = new CumulativeCounter(meter, "tagged_total", null, "A counter with tags.", "route", "result");
        var registry = Prometheus.Metrics.NewCustomRegistry();
        using var adapter = Prometheus.MeterAdapter.StartListening(new Prometheus.MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
            InstrumentFilterPredicate = i => i.Meter == meter,
            MetricsExpireAfter = TimeSpan.FromMilliseconds(100),
        });

        Assert.Contains($"\n{meter.Name}_plain_total 0\n", await ScrapeAsync(registry), StringComparison.Ordinal);

        plain.Add(3);
        tagged.Add(2, "/a", "accepted");
        tagged.Add(5, "/a", "accepted");
        tagged.Add(1, "/b", "rejected");
        // Idle well past the adapter's expiry: a series it was told about only by increments would be gone by now.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var scrape = await ScrapeAsync(registry);
        Assert.Contains($"\n{meter.Name}_plain_total 3\n", scrape, StringComparison.Ordinal);
        Assert.Contains($"\n{meter.Name}_tagged_total{{result=\"accepted\",route=\"/a\"}} 7\n", scrape, StringComparison.Ordinal);
        Assert.Contains($"\n{meter.Name}_tagged_total{{result=\"rejected\",route=\"/b\"}} 1\n", scrape, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => tagged.Add(1, "/a"));
    }

    [Fact]
    public async Task Known_tag_sets_are_scraped_at_zero_before_their_first_count_and_keep_their_count_when_named_again()
    {
        using var meter = new Meter("spec_" + Guid.NewGuid().ToString("N")[..8]);
        var rejections = new CumulativeCounter(meter, "rejected_total", null, "A counter with known tag sets.", "route", "reason")
            .ZeroEach(["/a", "/b"], ["invalid", "busy"]);
        var reads = new CumulativeCounter(meter, "reads_total", null, "A counter with one tag.", "result").Zero("hit").Zero("miss");
        var registry = Prometheus.Metrics.NewCustomRegistry();
        using var adapter = Prometheus.MeterAdapter.StartListening(new Prometheus.MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
            InstrumentFilterPredicate = i => i.Meter == meter,
        });

        var before = await ScrapeAsync(registry);
        foreach (var (route, reason) in new[] { ("/a", "invalid"), ("/a", "busy"), ("/b", "invalid"), ("/b", "busy") })
        {
            Assert.Contains($"\n{meter.Name}_rejected_total{{reason=\"{reason}\",route=\"{route}\"}} 0\n", before, StringComparison.Ordinal);
        }

        Assert.Contains($"\n{meter.Name}_reads_total{{result=\"hit\"}} 0\n", before, StringComparison.Ordinal);
        Assert.Contains($"\n{meter.Name}_reads_total{{result=\"miss\"}} 0\n", before, StringComparison.Ordinal);

        rejections.Add(1, "/b", "busy");
        reads.Add(2, "hit");
        reads.Zero("hit");
        var after = await ScrapeAsync(registry);
        Assert.Contains($"\n{meter.Name}_rejected_total{{reason=\"busy\",route=\"/b\"}} 1\n", after, StringComparison.Ordinal);
        Assert.Contains($"\n{meter.Name}_reads_total{{result=\"hit\"}} 2\n", after, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => rejections.ZeroEach(["/a"]));
        Assert.Throws<ArgumentException>(() => reads.Zero("hit", "extra"));
    }

    private static async Task<string> ScrapeAsync(Prometheus.CollectorRegistry registry)
    {
        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        return Encoding.UTF8.GetString(text.ToArray());
    }
}
