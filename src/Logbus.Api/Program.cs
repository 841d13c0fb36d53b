using Logbus.Api.Health;
using Logbus.Api.Imports;
using Logbus.Api.Ingest;
using Logbus.Api.Messaging;
using Logbus.Api.Otlp;
using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;
using Logbus.ServiceDefaults.TutorialCompatibility;
using Logbus.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Api);
builder.AddLogbusStorage();
builder.AddApiHealthChecks();
builder.AddApiMessaging();
builder.AddIngest();
builder.AddOtlp();
builder.AddImports();

var app = builder.Build();

app.UseServiceDefaults();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapIngest();
app.MapImports();
app.MapTutorialHealth("/producer/api/logs/health");

app.Run();
