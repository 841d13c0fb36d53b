using Logbus.DevBroker;
using Logbus.Messaging.Kafka.Testing;

var builder = WebApplication.CreateBuilder(args);
var settings = DevBrokerSettings.FromConfiguration(builder.Configuration);
builder.Services.AddSingleton(_ => KafkaDevBroker.Start(settings.ToOptions()));

var app = builder.Build();

// A client port that cannot be bound stops the process here, before either file is written.
KafkaDevBroker broker;
try
{
    broker = app.Services.GetRequiredService<KafkaDevBroker>();
}
catch (System.Net.Sockets.SocketException e)
{
    app.Logger.LogCritical("The dev broker could not listen on 127.0.0.1:{Port}: {Reason}", settings.BootstrapPort, e.Message);
    return 1;
}

var bootstrapServers = broker.BootstrapServers;
app.MapBrokerControl(bootstrapServers);
try
{
    await app.StartAsync();
}
catch (IOException e)
{
    app.Logger.LogCritical("The dev broker's control endpoint could not listen: {Reason}", e.Message);
    return 1;
}

if (settings.ControlFile is { } control)
{
    // The address Kestrel bound, with the port it got when asked for port 0.
    await StartupFiles.WriteAsync(control, app.Urls.First());
}

if (settings.BootstrapFile is { } bootstrap)
{
    // ./logbus waits for this file, so it is written last, once the brokers and the control endpoint listen.
    await StartupFiles.WriteAsync(bootstrap, bootstrapServers);
}

app.Logger.LogInformation(
    "Dev Kafka broker (librdkafka mock cluster, {Brokers} broker(s)) listening on {BootstrapServers}; control on {Control}; topics {Topics}",
    settings.Brokers, bootstrapServers, app.Urls.First(), string.Join(", ", settings.Topics.Select(t => $"{t.Key}({t.Value})")));
await app.WaitForShutdownAsync();
return 0;
