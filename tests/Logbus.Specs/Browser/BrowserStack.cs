extern alias query;

using System.Net;
using System.Net.Http.Json;
using Logbus.Specs.Infrastructure;
using Logbus.Specs.Worker;
using Microsoft.Playwright;

namespace Logbus.Specs.Browser;

/// <summary>
/// A running stack for the browser specs: the real Api and Worker (<see cref="Pipeline"/>) and the real Query service
/// on a Kestrel port of its own, over one spec database, with a known set of events stored through the pipeline; and
/// Debian's Chromium, headless, driven by Playwright.
/// </summary>
public sealed class BrowserStack : IAsyncLifetime
{
    private SpecDatabase? _db;
    private Pipeline? _pipeline;
    private ServiceFactory<query::Program>? _query;
    private IPlaywright? _playwright;

    public Uri QueryUrl { get; private set; } = null!;

    /// <summary>The Api, for ingest and uploads during a spec.</summary>
    public HttpClient Api => _pipeline?.Api.Client ?? throw new InvalidOperationException("not started");

    public IBrowser Browser { get; private set; } = null!;

    internal SpecDatabase Database => _db ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _db = await SpecDatabase.CreateAsync();
        _pipeline = await Pipeline.StartAsync(_db);

        var settings = ServiceSettings.For(_db);
        settings["Cache:KeyPrefix"] = $"{_db.Name}:";
        var port = FreePort.Next();
        _query = new ServiceFactory<query::Program>(settings);
        _query.UseKestrel(port);
        _query.StartServer();
        QueryUrl = new Uri($"http://127.0.0.1:{port}");

        await SeedAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserArtifacts.Chromium(),
            Headless = true,
        });
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    /// <summary>A page at desktop size (or the given one) on the Query service, its console errors failing the spec.</summary>
    public async Task<IPage> OpenAsync(string path, int width = 1366, int height = 900, string? colorScheme = null, string? timeZone = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = QueryUrl.ToString(),
            TimezoneId = timeZone,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = colorScheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
            IsMobile = width < 500,
            HasTouch = width < 500,
        });
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(path);
        Assert.True(response is { Ok: true },
            $"GET {path} answered {response?.Status}: is the web UI built? (./logbus test builds it; by hand: npm ci && npm run build in " +
            "src/Logbus.Query/web, then build the specs)");
        return page;
    }

    /// <summary>Sends events through the Api; they are stored by the Worker a moment later.</summary>
    public async Task IngestAsync(params object[] events)
    {
        var response = await Api.PostAsJsonAsync("/api/logs/batch", events);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public Task WaitForStoredAsync(string id) =>
        Eventually.TrueAsync(async () => await Database.ScalarAsync<long>("SELECT count(*) FROM log_events WHERE id = @id", ("id", id)) > 0,
            TimeSpan.FromSeconds(60), $"event {id} is stored");

    private async Task SeedAsync()
    {
        await IngestAsync([.. SeedEvents.All(DateTimeOffset.UtcNow)]);
        await _pipeline!.WaitForStoredAsync(SeedEvents.Count, TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.CloseAsync();
            _playwright.Dispose();
        }

        if (_query is not null)
        {
            await _query.DisposeAsync();
        }

        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }

        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }
}

[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserStack>;
