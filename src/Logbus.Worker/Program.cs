using Logbus.ServiceDefaults;
using Logbus.ServiceDefaults.Health;
using Logbus.Storage;
using Logbus.Storage.Schema;
using Logbus.Worker.DeadLetters;
using Logbus.Worker.Health;
using Logbus.Worker.Messaging;
using Logbus.Worker.TutorialCompatibility;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Worker);
builder.AddLogbusStorage();
builder.AddLogEventPartitionMaintenance();
builder.AddWorkerHealthChecks();
builder.AddWorkerMessaging();
builder.Services.AddSingleton<DeadLetterProducer>();
builder.Services.AddSingleton<DeadLetterTopic>();
builder.Services.AddSingleton<SingleEventDeadLetters>();

var app = builder.Build();

if (args is ["migrate", ..])
{
    // ./logbus migrate: bring the database to the current schema and exit.
    await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
    return;
}

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapActuatorEndpoints();
app.MapDeadLetters();

app.Run();
