using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Logbus.Bench.Data;
using Logbus.Bench.Measuring;
using Logbus.Bench.Pipeline;
using Npgsql;

namespace Logbus.Bench.Load;

/// <summary>
/// One run of the load modes, in order, on one clock: each mode's figures go into the report beside the baseline of
/// the same run, its per-second points into the chart, its CPU use per part of the system into the notes.
/// </summary>
internal sealed class LoadSuite : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private readonly BenchContext _context;
    private readonly LoadOptions _options;
    private readonly NpgsqlDataSource? _database;
    private readonly StoredEvents _stored;
    private readonly IReadOnlyList<Uri> _apis;
    private readonly IReadOnlyList<Uri> _workers;
    private StatementBreakdown? _breakdown;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HttpClient _api;
    private readonly HttpClient _query;
    private readonly QueryablePoller _poller;
    private readonly ProcessUsage _usage;
    private readonly List<LoadRecorder> _recorders = [];
    private readonly BenchmarkReport _report = new("load");
    private readonly IEnumerator<GeneratedEvent> _events;
    private readonly Lock _eventsGate = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly Timer _memory;
    private readonly Dictionary<string, double> _baseline = new(StringComparer.Ordinal);
    private TrivialEndpoint? _trivial;
    private long _acceptedByApi;
    private long _storedOutsideDriver;
    private long _acceptedWithoutRunIds;
    private long _storedAtStart;
    private bool _verifyAfterMode;
    private readonly string? _topic;
    private readonly bool _ownDatabase;
    private readonly HttpClient _plain = new() { Timeout = TimeSpan.FromSeconds(10) };
    private double? _rawCopy;

    /// <param name="apis">The Api instances; requests are spread over them in turn.</param>
    /// <param name="workers">The Workers, whose metrics count what is stored (none: SQL counts, when there is a database).</param>
    public LoadSuite(BenchContext context, LoadOptions options, IReadOnlyList<Uri> apis, Uri query, NpgsqlDataSource? database,
        IReadOnlyDictionary<string, int> services, IReadOnlyList<Uri> workers, string? topic = null, bool ownDatabase = true)
    {
        _topic = topic;
        _ownDatabase = ownDatabase;
        _context = context;
        _options = options;
        _database = database;
        _apis = apis;
        _workers = workers;
        _stored = new StoredEvents(workers, database, $"{_run}-");
        _api = Client(apis[0], apis);
        _query = Client(query);
        _poller = new QueryablePoller(_query, _clock, database);
        _usage = new ProcessUsage(services);
        _events = EventGenerator.Generate(int.MaxValue, DateTimeOffset.UtcNow, TimeSpan.FromDays(1), seed: 31).GetEnumerator();
        _memory = new Timer(_ => _usage.SampleMemory(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    public async Task<BenchmarkReport> RunAsync(CancellationToken cancellationToken)
    {
        await _poller.StartAsync(cancellationToken);
        if (_database is not null)
        {
            // Raw COPY truncates log_events after it: only in the run's own database, never in a running stack's.
            if (_ownDatabase)
            {
                _rawCopy = await PipelineBenchmark.RawCopyAsync(_context, _database, 200_000, DateTimeOffset.UtcNow.AddDays(-2), cancellationToken);
            }

            _breakdown = await StatementBreakdown.CreateAsync(_database, cancellationToken);
            if (_breakdown.Unavailable is { } why)
            {
                _report.Notes.Add($"No statement breakdown: {why}. `./logbus stack` preloads it; a stack started before that needs "
                    + "`./logbus down` first.");
            }
        }

        _report.Notes.Add($"Stored events counted by {_stored.Method}; each drain's total checked once by SQL after its clock stopped.");
        _report.Notes.Add($"Ingest-to-queryable measured by {_poller.Method}" + (_poller.CommitTimesUnavailable is { } off
            ? $" ({off}; `./logbus stack` turns it on, a stack started before that needs `./logbus down` first)."
            : "."));
        _storedAtStart = _database is null && _workers.Count == 0 ? 0 : await _stored.CountAsync(cancellationToken);

        await WarmUpAsync(cancellationToken);

        var modes = new (string Name, Func<CancellationToken, Task> Run)[]
        {
            ("baseline", BaselineAsync), ("tutorial", TutorialAsync), ("steady", SteadyAsync), ("queryable", QueryableAsync),
            ("max-batches", MaxBatchesAsync), ("otlp-batches", OtlpBatchesAsync), ("max-singles", MaxSinglesAsync), ("import", ImportAsync),
            ("query", QueryMixAsync),
        };
        var memoryWindow = "warm-up";
        foreach (var (name, run) in modes.Where(m => _options.Runs(m.Name)))
        {
            _context.Progress($"mode {name}");
            if (name is "max-batches" or "otlp-batches" or "max-singles" or "import")
            {
                // The earlier modes' backlog is stored before this mode's CPU and statements are counted: max-singles ran
                // while the Worker still stored otlp-batches' backlog, its chunks held in the outbox by the retention guard.
                await SettleAsync(cancellationToken);
            }

            // A mode's memory window runs until the next mode has stored this one's backlog: the drain is part of its load.
            ReportMemoryWindow(memoryWindow);
            memoryWindow = name;
            var cpuBefore = _usage.CpuSeconds();
            var storedBefore = _workers.Count > 0 ? await _stored.CountAsync(cancellationToken) : 0;
            if (_breakdown is not null)
            {
                await _breakdown.ResetAsync(cancellationToken);
            }

            var started = _clock.Elapsed;
            await run(cancellationToken);
            var seconds = (_clock.Elapsed - started).TotalSeconds;
            if (ProcessUsage.Available)
            {
                _report.Notes.Add($"CPU during `{name}` ({seconds:0} s): {ProcessUsage.Breakdown(cpuBefore, _usage.CpuSeconds(), seconds)}.");
            }

            if (_breakdown is { Unavailable: null })
            {
                var storedDuring = _workers.Count > 0 ? await _stored.CountAsync(cancellationToken) - storedBefore : 0;
                var kinds = await _breakdown.ReadAsync(cancellationToken);
                var table = StatementBreakdown.ToMarkdown($"`{name}` ({storedDuring:N0} events stored meanwhile)", kinds, storedDuring);
                _report.Notes.Add(table);
                _context.Progress(table.Replace("\n", "\n    ", StringComparison.Ordinal));
                _report.Statements[name] = kinds;
            }

            if (_verifyAfterMode)
            {
                _verifyAfterMode = false;
                await VerifyAsync(name, cancellationToken);
            }

        }

        if (_workers.Count > 0)
        {
            var (scrapes, meanMs) = _stored.Scrapes;
            _report.Notes.Add($"Counting stored events: {scrapes:N0} reads of the Workers' metrics, {meanMs:0.0} ms each (wall time).");
        }

        ReportMemoryWindow(memoryWindow);
        foreach (var (part, megabytes) in _usage.PeakResidentMb.Where(p => p.Value > 0))
        {
            _report.Add($"peak resident memory, {part}", megabytes, "MB");
        }

        Targets();

        await WriteSeriesAsync(cancellationToken);
        return _report;
    }

    public async ValueTask DisposeAsync()
    {
        await _memory.DisposeAsync();
        await _poller.DisposeAsync();
        if (_trivial is not null)
        {
            await _trivial.DisposeAsync();
        }

        _api.Dispose();
        _query.Dispose();
        _plain.Dispose();
        _events.Dispose();
    }

    /// <summary>The same request shapes against a trivial ASP.NET endpoint: what the machine allows any endpoint.</summary>
    private async Task BaselineAsync(CancellationToken cancellationToken)
    {
        _trivial ??= await TrivialEndpoint.StartAsync();
        using var trivial = Client(_trivial.BaseAddress);
        var driver = new LoadDriver(_context, trivial, _clock);
        var singles = Recorder("baseline: single POSTs at 1,000/s");
        await driver.OpenLoopAsync(singles, 1_000, Seconds(10), i => Single(i, "/api/logs", sampleEvery: 0), cancellationToken);
        _baseline["single p50"] = singles.Latencies.Percentile(50);
        _baseline["single p99"] = singles.Latencies.Percentile(99);
        var maxSingles = Recorder("baseline: single POSTs, 32 senders");
        await driver.ClosedLoopAsync(maxSingles, 32, Seconds(5), i => Single(i, "/api/logs", sampleEvery: 0), cancellationToken);
        _baseline["singles/s"] = maxSingles.Requests / maxSingles.Elapsed;
        var batches = Recorder("baseline: batches of 1,000, 8 senders");
        await driver.ClosedLoopAsync(batches, 8, Seconds(5), i => Batch(i, 1_000, sampleEvery: 0), cancellationToken);
        _baseline["batch events/s"] = batches.AcceptedEvents / batches.Elapsed;
        var stats = Recorder("baseline: GET stats, 1 sender");
        await driver.ClosedLoopAsync(stats, 1, Seconds(5), _ => new LoadRequest(new HttpRequestMessage(HttpMethod.Get, "/api/query/stats"), 0),
            cancellationToken);
        _baseline["stats p99"] = stats.Latencies.Percentile(99);
        _report.Notes.Add($"Baseline (a trivial ASP.NET endpoint in the generator's process that parses the body and answers 202): single POST p50 "
            + $"{_baseline["single p50"]:0.00} ms, p99 {_baseline["single p99"]:0.00} ms at 1,000/s; {_baseline["singles/s"]:N0} single POSTs/s and "
            + $"{_baseline["batch events/s"]:N0} events/s in batches of 1,000 at most; "
            + $"a constant GET p99 {_baseline["stats p99"]:0.00} ms from one sender.");
    }

    /// <summary>The tutorial's load-test.sh: 10 events a second for 60 s through its ingest route.</summary>
    private async Task TutorialAsync(CancellationToken cancellationToken)
    {
        var recorder = Recorder("tutorial: 10/s on /producer/api/logs/ingest");
        await Driver(_api).OpenLoopAsync(recorder, 10, _options.Duration ?? TimeSpan.FromSeconds(60), i =>
            Single(i, "/producer/api/logs/ingest", sampleEvery: 5), cancellationToken);
        var (queryable, lost) = await _poller.CollectAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Latency(recorder, "tutorial route");
        Queryable(queryable, lost, "tutorial");
    }

    private async Task SteadyAsync(CancellationToken cancellationToken)
    {
        var rate = _options.Rate ?? 1_000;
        var recorder = Recorder($"steady: single POSTs at {rate:N0}/s");
        await Driver(_api).OpenLoopAsync(recorder, rate, Duration(30), i => Single(i, "/api/logs", sampleEvery: 100), cancellationToken);
        var (queryable, lost) = await _poller.CollectAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Latency(recorder, $"single-event POST at {rate:N0} req/s", _baseline.TryGetValue("single p99", out var b) ? b : null);
        Queryable(queryable, lost, $"{rate:N0} single events/s");
    }

    /// <summary>Batches of 100 at a fixed event rate, sampled ids polled on Query until found.</summary>
    private async Task QueryableAsync(CancellationToken cancellationToken)
    {
        var rate = _options.Rate ?? 10_000;
        var recorder = Recorder($"queryable: batches of 100 at {rate:N0} events/s");
        await Driver(_api).OpenLoopAsync(recorder, rate / 100, Duration(20), i => Batch(i, 100, sampleEvery: 4), cancellationToken);
        var (queryable, lost) = await _poller.CollectAsync(TimeSpan.FromSeconds(60), cancellationToken);
        Latency(recorder, $"batch of 100 POST at {rate:N0} events/s");
        Queryable(queryable, lost, $"{rate:N0} events/s");
    }

    private async Task MaxBatchesAsync(CancellationToken cancellationToken)
    {
        var senders = _options.Senders ?? 8;
        await SettleAsync(cancellationToken);
        var counted = _database is not null || _workers.Count > 0;
        var stored = counted ? await _stored.CountAsync(cancellationToken) : 0;
        var size = _options.BatchSize;
        var recorder = Recorder($"max-batches: {size:N0} per request, {senders} senders");
        var started = _clock.Elapsed;
        // Sampled ids only feed the query mix's lookups that should hit. Every 10th request's id, polled every 100 ms while the
        // drain took tens of seconds, had the Query at 0.15-0.24 cores answering 404s during the mode it measures.
        await Driver(_api).ClosedLoopAsync(recorder, senders, Duration(20), i => Batch(i, size, sampleEvery: 100), cancellationToken);
        var accepted = recorder.AcceptedEvents / recorder.Elapsed;
        _report.Add($"max-batches: events accepted ({senders} senders, batches of {size:N0})", accepted, "events/s",
            _baseline.TryGetValue("batch events/s", out var trivial) ? trivial : null, "trivial endpoint");
        Errors(recorder);
        if (counted)
        {
            var target = stored + recorder.AcceptedEvents;
            await _stored.WaitForAsync(_context, target, $"{recorder.AcceptedEvents:N0} events stored", cancellationToken);
            var endToEnd = recorder.AcceptedEvents / (_clock.Elapsed - started).TotalSeconds;
            _report.Add("max-batches: end to end, accepted → stored (sustained over the run and its drain)", endToEnd, "events/s", _rawCopy,
                "raw COPY");
            // After the mode's statements are read, so the checks do not count among them.
            _verifyAfterMode = true;
        }

        await _poller.CollectAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    /// <summary>OTLP/HTTP protobuf batches of 512 records, as the .NET exporter sends them, beside max-batches' JSON.</summary>
    private async Task OtlpBatchesAsync(CancellationToken cancellationToken)
    {
        var senders = _options.Senders ?? 8;
        var recorder = Recorder($"otlp-batches: OTLP/HTTP protobuf, 512 records per request, {senders} senders");
        await Driver(_api).ClosedLoopAsync(recorder, senders, Duration(20), i => OtlpBatchOf(i, 512), cancellationToken);
        _report.Add($"otlp-batches: events accepted ({senders} senders, OTLP protobuf batches of 512)", recorder.AcceptedEvents / recorder.Elapsed,
            "events/s", _baseline.TryGetValue("batch events/s", out var trivial) ? trivial : null, "trivial endpoint");
        Interlocked.Add(ref _acceptedWithoutRunIds, recorder.AcceptedEvents);
        Latency(recorder, "OTLP protobuf batch of 512 POST");
        Errors(recorder);
    }

    private async Task MaxSinglesAsync(CancellationToken cancellationToken)
    {
        var senders = _options.Senders ?? 32;
        var recorder = Recorder($"max-singles: {senders} senders");
        await Driver(_api).ClosedLoopAsync(recorder, senders, Duration(10), i => Single(i, "/api/logs", sampleEvery: 0), cancellationToken);
        _report.Add($"max-singles: single POSTs accepted ({senders} senders)", recorder.Requests / recorder.Elapsed, "req/s",
            _baseline.TryGetValue("singles/s", out var trivial) ? trivial : null, "trivial endpoint");
        _report.Add("max-singles: latency p99", recorder.Latencies.Percentile(99), "ms");
        Errors(recorder);
    }

    private async Task ImportAsync(CancellationToken cancellationToken)
    {
        var lines = _options.ImportLines;
        await SettleAsync(cancellationToken);
        // Its own client: an upload of a million lines takes longer than the 30 s a request of the other modes may.
        using var uploads = new HttpClient { BaseAddress = _api.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
        var (uploaded, completed, state) = await PipelineBenchmark.ImportAsync(_context, uploads, lines, DateTimeOffset.UtcNow,
            $"{_run}-import-", cancellationToken);
        if (state == "Completed")
        {
            Interlocked.Add(ref _storedOutsideDriver, lines);
        }

        _report.Add($"import: {lines:N0} NDJSON lines uploaded", uploaded, "lines/s", _rawCopy, "raw COPY");
        _report.Add($"import: {lines:N0} NDJSON lines, upload to {state}", completed, "lines/s", _rawCopy, "raw COPY");
    }

    /// <summary>Readers of the explorer and of dashboards at once: stats (cached), searches, text, by id, sources.</summary>
    private async Task QueryMixAsync(CancellationToken cancellationToken)
    {
        var senders = _options.Senders ?? 8;
        var kinds = new (string Name, Func<long, string> Url)[]
        {
            ("stats, last hour (cached)", _ => "/api/query/stats?hoursBack=1"),
            ("newest 50, last 15 min", _ => $"/api/query/logs?from={Since(TimeSpan.FromMinutes(15))}&limit=50"),
            ("level ERROR, last hour", _ => $"/api/query/logs?from={Since(TimeSpan.FromHours(1))}&level=ERROR&limit=50"),
            ("one source, last hour", i => $"/api/query/logs?from={Since(TimeSpan.FromHours(1))}&source={EventGenerator.Sources[i % 10]}&limit=50"),
            ("text, last hour", _ => $"/api/query/logs?from={Since(TimeSpan.FromHours(1))}&q=timeout&limit=50"),
            ("by id", i => $"/api/query/logs/{Uri.EscapeDataString(KnownId(i))}"),
            ("sources", _ => "/api/query/sources"),
        };
        var driver = Driver(_query);

        // A dashboard refreshing its stats panel on its own: the cached answer's latency without a crowd beside it.
        var alone = Recorder("query: cached stats, 1 sender");
        await driver.ClosedLoopAsync(alone, 1, Duration(10), _ =>
            new LoadRequest(new HttpRequestMessage(HttpMethod.Get, "/api/query/stats?hoursBack=1"), 0), cancellationToken);
        _report.Add("cached stats (1 sender), p50", alone.Latencies.Percentile(50), "ms");
        _report.Add("cached stats (1 sender), p99", alone.Latencies.Percentile(99), "ms",
            _baseline.TryGetValue("stats p99", out var trivialStats) ? trivialStats : null, "trivial GET p99");

        var recorders = kinds.Select(k => Recorder($"query kind: {k.Name}")).ToList();
        var mix = Recorder($"query: mix, {senders} senders");
        await driver.ClosedLoopAsync(mix, senders, Duration(15), i =>
        {
            var kind = (int)(i % kinds.Length);
            return new LoadRequest(new HttpRequestMessage(HttpMethod.Get, kinds[kind].Url(i / kinds.Length)), 0) { Kind = recorders[kind] };
        }, cancellationToken);
        _report.Add($"query mix: requests answered ({senders} senders)", mix.Requests / mix.Elapsed, "req/s");
        for (var k = 0; k < kinds.Length; k++)
        {
            _report.Add($"query mix: {kinds[k].Name}, p50", recorders[k].Latencies.Percentile(50), "ms");
            _report.Add($"query mix: {kinds[k].Name}, p99", recorders[k].Latencies.Percentile(99), "ms");
        }

        Errors(mix);
    }

    /// <summary>
    /// Untimed single POSTs (300/s, every 20th id looked up on the Query until found) and batches of 100 (2,000 events/s)
    /// for <see cref="LoadOptions.WarmupSeconds"/>, then a wait until they are stored. The services of a fresh deployment
    /// compile their code while they serve (tiered JIT): in a perf profile of the first 30 s of <c>steady</c> the JIT's
    /// threads took about a third of the services' CPU, and about 4 % a minute later; without this the first timed mode
    /// measures that compilation.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        // A running stack (--api) is warm already, and its database is someone's: only a deployment of the run's own.
        if (_options.WarmupSeconds <= 0 || _options.Api is not null || !_options.Modes.Any(m => m != "baseline"))
        {
            return;
        }

        _context.Progress($"warm-up: {_options.WarmupSeconds} s of untimed singles and batches");
        var duration = TimeSpan.FromSeconds(_options.WarmupSeconds);
        var driver = Driver(_api);
        await Task.WhenAll(
            driver.OpenLoopAsync(new LoadRecorder("warm-up singles", _clock), 300, duration, i => Single(i, "/api/logs", sampleEvery: 20),
                cancellationToken),
            driver.OpenLoopAsync(new LoadRecorder("warm-up batches", _clock), 20, duration, i => Batch(i, 100, sampleEvery: 0),
                cancellationToken));
        await SettleAsync(cancellationToken);
        // Their latencies are not figures.
        await _poller.CollectAsync(TimeSpan.FromSeconds(30), cancellationToken);
        // The Query's lookups, hits and misses, compiled before anything is measured: its JIT showed as 0.3-0.5 cores in steady.
        await Driver(_query).ClosedLoopAsync(new LoadRecorder("warm-up lookups", _clock), 4, TimeSpan.FromSeconds(3), i =>
            new LoadRequest(new HttpRequestMessage(HttpMethod.Get,
                $"/api/query/logs/{Uri.EscapeDataString(i % 4 == 0 ? $"{_run}-not-stored-{i}" : KnownId(i))}"), 0), cancellationToken);
        _report.Notes.Add($"Warm-up before the first timed mode: {_options.WarmupSeconds} s of single POSTs (300/s) and batches of 100 " +
            "(2,000 events/s), untimed, all stored before the clock started (`--warmup=0` measures cold services).");
    }

    /// <summary>Waits until what the Api accepted so far is stored, so one mode's backlog does not count against the next.</summary>
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        if (_database is null && _workers.Count == 0)
        {
            return;
        }

        var target = _storedAtStart + Interlocked.Read(ref _acceptedByApi) + Interlocked.Read(ref _storedOutsideDriver);
        await _stored.WaitForAsync(_context, target, "the earlier modes' events to be stored", cancellationToken);
    }

    /// <summary>
    /// After the clock stopped: every event the Api accepted with one of the run's ids is stored once (rows = distinct ids
    /// = accepted), and how the work was spread over the Apis and Workers (events each took, partitions each Worker holds).
    /// </summary>
    private async Task VerifyAsync(string mode, CancellationToken cancellationToken)
    {
        var accepted = Interlocked.Read(ref _acceptedByApi) - _acceptedWithoutRunIds + Interlocked.Read(ref _storedOutsideDriver);
        var (rows, distinct) = (-1L, -1L);
        if (_database is not null)
        {
            (rows, distinct) = await _stored.VerifyAsync(accepted, $"{_run}-", cancellationToken);
            _report.Add($"{mode}: rows stored with the run's ids (SQL, after the clock)", rows, "rows", accepted, "accepted by the Api");
            _report.Add($"{mode}: distinct ids stored", distinct, "ids", accepted, "accepted by the Api");
            _report.Notes.Add($"Nothing lost or duplicated after `{mode}`: {rows:N0} rows, {distinct:N0} distinct ids, {accepted:N0} events "
                + $"accepted{(rows == distinct && distinct == accepted ? " (equal)." : " (NOT equal).")}");
        }

        var spread = new List<string>();
        for (var i = 0; i < _apis.Count; i++)
        {
            var text = await _plain.GetStringAsync(new Uri(_apis[i], "/metrics"), cancellationToken);
            var events = PrometheusText.Samples(text, "logbus_ingest_events_total")
                .Where(s => s.Labels.GetValueOrDefault("result") == "accepted").Sum(s => s.Value);
            spread.Add($"Api {i + 1} ({_apis[i].Port}) accepted {events:N0} events");
        }

        for (var i = 0; i < _workers.Count; i++)
        {
            var text = await _plain.GetStringAsync(new Uri(_workers[i], "/metrics"), cancellationToken);
            var partitions = PrometheusText.Samples(text, "logbus_messaging_kafka_consumer_lag")
                .Where(s => s.Labels.GetValueOrDefault("topic") == _topic)
                .Select(s => int.Parse(s.Labels.GetValueOrDefault("partition") ?? "-1", CultureInfo.InvariantCulture)).Order().ToList();
            spread.Add($"Worker {i + 1} ({_workers[i].Port}) stored {PrometheusText.Sum(text, StoredEvents.Metric):N0} events and holds "
                + $"partitions [{string.Join(", ", partitions)}] of `{_topic}`");
        }

        _report.Notes.Add($"Spread after `{mode}`: {string.Join("; ", spread)}.");
        if (_ownDatabase && _database is not null && _topic is not null)
        {
            // What an event costs at rest, measured once here, outside the timed window (docs/scaling.md uses it).
            var (perEvent, disk) = await DiskFootprint.DescribeAsync(_database, cancellationToken);
            _report.Add("bytes per event on disk (log_events with its indexes)", perEvent, "B");
            _report.Notes.Add(disk + ".");
            var kafka = KafkaFootprint.Measure(_context, _topic, 200, TimeSpan.FromSeconds(20));
            if (kafka.Events > 0)
            {
                _report.Add("bytes per event in Kafka, record value (uncompressed)", kafka.ValueBytesPerEvent, "B");
                if (kafka.Lz4BytesPerEvent > 0)
                {
                    _report.Add("bytes per event in Kafka, lz4 as the producer sends it", kafka.Lz4BytesPerEvent, "B");
                }

                _report.Notes.Add($"Kafka footprint from {kafka.Records} records ({kafka.Events:N0} events) read back from `{_topic}` and produced "
                    + "again lz4-compressed (librdkafka's txbytes).");
            }
        }

        _context.Progress($"verified: {rows:N0} rows, {distinct:N0} distinct, {accepted:N0} accepted; {string.Join("; ", spread)}");
    }

    private void Latency(LoadRecorder recorder, string what, double? baselineP99 = null)
    {
        _report.Add($"{what}: HTTP p50", recorder.Latencies.Percentile(50), "ms",
            _baseline.TryGetValue("single p50", out var b50) && baselineP99 is not null ? b50 : null, "trivial endpoint");
        _report.Add($"{what}: HTTP p99", recorder.Latencies.Percentile(99), "ms", baselineP99, "trivial endpoint");
        _report.Add($"{what}: HTTP max", recorder.Latencies.Percentile(100), "ms");
        _report.Add($"{what}: events accepted", recorder.AcceptedEvents / recorder.Elapsed, "events/s");
        Errors(recorder);
    }

    private void Queryable(Latencies found, int notFound, string what)
    {
        _report.Add($"ingest-to-queryable at {what}: p50 ({found.Count:N0} sampled ids)", found.Percentile(50), "ms");
        _report.Add($"ingest-to-queryable at {what}: p99", found.Percentile(99), "ms");
        if (notFound > 0 || _poller.Skipped > 0)
        {
            _report.Notes.Add($"ingest-to-queryable at {what}: {notFound} sampled ids were not queryable within the wait; {_poller.Skipped} were " +
                "not sampled (too many pending).");
        }
    }

    private void Errors(LoadRecorder recorder) =>
        _report.Notes.Add($"`{recorder.Scenario}`: {recorder.Requests:N0} requests, answers other than 2xx: {recorder.Errors()}.");

    private LoadRecorder Recorder(string scenario)
    {
        var recorder = new LoadRecorder(scenario, _clock);
        _recorders.Add(recorder);
        return recorder;
    }

    private LoadDriver Driver(HttpClient http) => new(_context, http, _clock, _poller, ReferenceEquals(http, _api) ? AcceptedByApi : null);

    private void AcceptedByApi(int events) => Interlocked.Add(ref _acceptedByApi, events);

    private TimeSpan Duration(int seconds) => _options.Duration ?? TimeSpan.FromSeconds(seconds);

    private static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);

    private static string Since(TimeSpan window) =>
        Uri.EscapeDataString((DateTimeOffset.UtcNow - window).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

    private LoadRequest Single(long i, string route, int sampleEvery)
    {
        var body = NextEvent(i);
        var sample = sampleEvery > 0 && i % sampleEvery == 0 ? body.Id : null;
        return new LoadRequest(Post(route, JsonSerializer.SerializeToUtf8Bytes(body, Json)), 1, sample);
    }

    private LoadRequest Batch(long i, int size, int sampleEvery)
    {
        var events = Enumerable.Range(0, size).Select(n => NextEvent((i * size) + n)).ToList();
        var sample = sampleEvery > 0 && i % sampleEvery == 0 ? events[^1].Id : null;
        return new LoadRequest(Post("/api/logs/batch", JsonSerializer.SerializeToUtf8Bytes(events, Json)), size, sample);
    }

    private LoadRequest OtlpBatchOf(long i, int size)
    {
        var events = new List<GeneratedEvent>(size);
        lock (_eventsGate)
        {
            for (var n = 0; n < size; n++)
            {
                _events.MoveNext();
                events.Add(_events.Current);
            }
        }

        return new LoadRequest(OtlpBatch.Post(events), size);
    }

    private static HttpRequestMessage Post(string route, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonType;
        return new HttpRequestMessage(HttpMethod.Post, route) { Content = content };
    }

    /// <summary>The next realistic event (levels, sources, metadata, message text of the generator), stamped now, with an id unique to this
    /// run.</summary>
    private LoadEvent NextEvent(long i)
    {
        GeneratedEvent generated;
        lock (_eventsGate)
        {
            _events.MoveNext();
            generated = _events.Current;
        }

        return new LoadEvent($"{_run}-{generated.Id}", DateTimeOffset.UtcNow, generated.Level, generated.Source, generated.Message,
            generated.Metadata());
    }

    /// <summary>An id the poller found stored, so lookups by id hit (misses are measured by the modes that poll).</summary>
    private string KnownId(long i) => _poller.FoundId(i) ?? "none";

    /// <summary>Issue 11's targets beside what this run measured; a missed one points at the CPU breakdown of its mode.</summary>
    /// <summary>Notes each service's peak resident memory since the last window, named for what ran in it.</summary>
    private void ReportMemoryWindow(string name)
    {
        var peaks = _usage.NextMemoryWindow().Where(p => p.Value > 0).ToList();
        if (peaks.Count > 0)
        {
            _report.Notes.Add($"Peak resident memory during `{name}` (and the drain of its backlog): "
                + string.Join(", ", peaks.Select(p => $"{p.Key} {p.Value:0} MB")) + ".");
        }
    }

    private void Targets()
    {
        double? Figure(Func<BenchmarkReport.Figure, bool> match) => _report.Figures.FirstOrDefault(match)?.Value;
        var lines = new List<string> { "Targets (issue 11, a 2-core machine):", "", "| target | measured | |", "|---|---|---|" };
        void Target(string name, double? value, Func<double, bool> met, string unit)
        {
            if (value is { } v && !double.IsNaN(v))
            {
                lines.Add(
                    $"| {name} | {v.ToString(v >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture)} {unit} | {(met(v) ? "met" : "missed")} |");
            }
        }

        var endToEnd = Figure(f => f.Name.StartsWith("max-batches: end to end", StringComparison.Ordinal));
        Target("end to end ≥ 30,000 events/s", endToEnd, v => v >= 30_000, "events/s");
        if (endToEnd is { } e && _rawCopy is { } copy)
        {
            Target("end to end ≥ 50 % of raw COPY", e / copy * 100, v => v >= 50, "%");
        }

        Target("single-event POST p99 < 20 ms at 1,000 req/s", Figure(f => f.Name == "single-event POST at 1,000 req/s: HTTP p99"), v => v < 20,
            "ms");
        Target("ingest-to-queryable p99 < 2 s at 10,000 events/s", Figure(f => f.Name == "ingest-to-queryable at 10,000 events/s: p99"), v =>
            v < 2_000, "ms");
        Target("cached stats p99 < 5 ms", Figure(f => f.Name == "cached stats (1 sender), p99"), v => v < 5, "ms");
        foreach (var service in new[] { "Api", "Worker", "Query" })
        {
            Target($"{service} resident memory < 250 MB under load (issue 19)", Figure(f => f.Name == $"peak resident memory, {service}"),
                v => v < 250, "MB");
        }

        _report.Notes.Insert(0, string.Join('\n', lines));
    }

    private async Task WriteSeriesAsync(CancellationToken cancellationToken)
    {
        var series = _recorders.SelectMany(r => r.Series()).OrderBy(p => p.Second).ToList();
        await File.WriteAllTextAsync(Path.Combine(_context.ResultsFolder, "load-series.json"),
            JsonSerializer.Serialize(series,
                new JsonSerializerOptions(Json) { WriteIndented = true,
                NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }), cancellationToken);
        var chart = SvgChart.Render("Logbus load run: throughput and latency over time",
            series.Where(p => !p.Scenario.StartsWith("baseline: ", StringComparison.Ordinal)
            && !p.Scenario.StartsWith("query kind: ", StringComparison.Ordinal)).ToList());
        await File.WriteAllTextAsync(Path.Combine(_context.ResultsFolder, "load.svg"), chart, cancellationToken);
        _report.Notes.Add("Throughput and latency over time: `load.svg` (per second of each Logbus mode: events accepted, p50 and p99 latency), " +
            "every point, baselines included, in `load-series.json`.");
    }

    private static HttpClient Client(Uri address, IReadOnlyList<Uri>? instances = null) => new(new SpreadHandler(instances ?? [address],
        new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        }))
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private sealed record LoadEvent(string Id, DateTimeOffset Timestamp, string Level, string Source, string Message, Dictionary<string,
        object> Metadata);
}
