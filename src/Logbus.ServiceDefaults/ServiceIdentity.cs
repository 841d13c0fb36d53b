namespace Logbus.ServiceDefaults;

/// <summary>Who a process is: its Logbus name, and the name the tutorial gave the same role.</summary>
/// <param name="Name">The Logbus service name, e.g. <c>logbus-api</c>; used in logs, traces and health answers.</param>
/// <param name="TutorialName">The tutorial's name for the same role, e.g. <c>log-producer</c>.</param>
public sealed record ServiceIdentity(string Name, string TutorialName)
{
    public static readonly ServiceIdentity Api = new("logbus-api", "log-producer");
    public static readonly ServiceIdentity Worker = new("logbus-worker", "log-consumer");
    public static readonly ServiceIdentity Query = new("logbus-query", "api-gateway");
}
