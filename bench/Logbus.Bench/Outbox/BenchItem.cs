namespace Logbus.Bench.Outbox;

/// <summary>The business row each request or consumed message writes.</summary>
internal sealed class BenchItem
{
    public long Id { get; set; }

    public string Payload { get; set; } = "";
}
