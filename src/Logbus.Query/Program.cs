using Logbus.Query;
using Logbus.Query.Caching;
using Logbus.Query.Seed;
using Logbus.Query.WebUi;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;
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
app.MapDefaultEndpoints();
app.MapQueryApi();
app.MapSeedQueryApi();
app.MapImportStatus();
app.MapSeedHealth("/gateway/api/query/health");
app.MapWebUi();

app.Run();
