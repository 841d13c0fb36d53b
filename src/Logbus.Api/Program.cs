using Logbus.Api.Health;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;
using Logbus.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Api);
builder.AddLogbusStorage();
builder.AddApiHealthChecks();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapSeedHealth("/producer/api/logs/health");

app.Run();
