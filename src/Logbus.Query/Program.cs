using Logbus.Query;
using Logbus.Query.Caching;
using Logbus.Query.TutorialCompatibility;
using Logbus.Query.WebUi;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;
using Logbus.ServiceDefaults.TutorialCompatibility;
using Logbus.Storage;
using Logbus.Imports.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Query);
builder.AddLogbusStorage();
builder.AddQueryCache();
builder.AddLogQueries();
builder.AddWebUi();

var app = builder.Build();

app.UseServiceDefaults();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapQueryApi();
app.MapTutorialQueryApi();
app.MapImportStatus();
app.MapTutorialHealth("/gateway/api/query/health");
app.MapWebUi();

app.Run();
