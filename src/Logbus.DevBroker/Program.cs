using Logbus.DevBroker;
using Logbus.Messaging.Kafka.Testing;

var builder = WebApplication.CreateBuilder(args);
var settings = DevBrokerSettings.FromConfiguration(builder.Configuration);
builder.Services.AddSingleton(_ => KafkaDevBroker.Start(settings.ToOptions()));

var app = builder.Build();
var broker = app.Services.GetRequiredService<KafkaDevBroker>();
app.MapBrokerControl(settings);

if (settings.BootstrapFile is { } file)
{
    // ./logbus waits for this file, so it is written only once the brokers listen.
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
    await File.WriteAllTextAsync(file + ".tmp", broker.BootstrapServers);
    File.Move(file + ".tmp", file, overwrite: true);
}

app.Logger.LogInformation(
    "Dev Kafka broker (librdkafka mock cluster, {Brokers} broker(s)) listening on {BootstrapServers}; topics {Topics}",
    settings.Brokers, broker.BootstrapServers, string.Join(", ", settings.Topics.Select(t => $"{t.Key}({t.Value})")));
await app.RunAsync();
