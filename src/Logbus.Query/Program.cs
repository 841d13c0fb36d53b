using Logbus.Query.Caching;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;
using Logbus.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Query);
builder.AddLogbusStorage();
builder.AddQueryCache();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapSeedHealth("/gateway/api/query/health");

app.Run();
