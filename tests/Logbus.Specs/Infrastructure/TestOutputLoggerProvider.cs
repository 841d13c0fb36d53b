using Xunit.Abstractions;
using Microsoft.Extensions.Logging;

namespace Logbus.Specs.Infrastructure;

/// <summary>Writes a spec's log lines to xunit's output for that spec, so a failing spec shows what happened.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output, LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    private readonly DateTime _start = DateTime.UtcNow;
    private readonly LogLevel _minimum = minimum;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The spec finished; a late line from a background thread has nowhere to go.
        }
    }

    private sealed class Logger(TestOutputLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var elapsed = (DateTime.UtcNow - provider._start).TotalSeconds;
            var line = $"{elapsed,7:0.000} {logLevel,-11} {category.Split('.').Last()}: {formatter(state, exception)}";
            if (exception is not null)
            {
                line += Environment.NewLine + exception;
            }

            provider.Write(line);
        }
    }
}
