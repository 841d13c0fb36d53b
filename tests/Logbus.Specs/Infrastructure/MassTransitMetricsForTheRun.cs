using System.Runtime.CompilerServices;
using MassTransit.Logging;
using MassTransit.Monitoring;

namespace Logbus.Specs.Infrastructure;

/// <summary>
/// MassTransit creates its metric instruments once per process, on the meter of the first service provider that starts
/// a bus. A spec process starts and disposes hundreds of hosts; when that first provider is disposed its meter goes
/// with it and MassTransit's metrics fall silent for every later host, so whether a spec sees them depended on which
/// spec happened to start a bus first. Creating them up front on a meter that lives as long as the process removes
/// that order dependence (a service process has one provider and never meets this).
/// </summary>
internal static class MassTransitMetricsForTheRun
{
#pragma warning disable CA2255 // the spec assembly is the program here: this must run before any spec starts a bus
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Configure()
    {
        var options = new InstrumentationOptions();
        new ConfigureDefaultInstrumentationOptions().Configure(options);
        LogContextInstrumentationExtensions.TryConfigure(options);
    }
}
