using System.Diagnostics;

namespace Logbus.Specs.Infrastructure;

/// <summary>
/// Stops this run's private servers once the test process is gone, however it went: the in-process cleanup does not
/// run when the test host is killed, and a PostgreSQL started with pg_ctl outlives its parent. A small shell process
/// polls the test process and then stops every cluster and Redis under this run's folder.
/// </summary>
internal static class RunWatchdog
{
    private const string Script = """
        while kill -0 "$1" 2>/dev/null; do sleep 1; done
        for pid in "$2"/*/postmaster.pid "$2"/*/data/postmaster.pid; do
          [ -f "$pid" ] || continue
          dir=$(dirname "$pid")
          if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$3/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1
          else "$3/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1; fi
        done
        for pid in "$2"/*/redis.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null; done
        """;

    private static int _started;

    /// <param name="postgresBin">Where pg_ctl is.</param>
    public static void EnsureStarted(string postgresBin)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        var info = new ProcessStartInfo("setsid") { UseShellExecute = false };
        // Its own session, so a signal to the test process group does not take the watchdog with it.
        foreach (var argument in new[] { "bash", "-c", Script, "logbus-watchdog",
            Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), RepositoryPaths.RunFolder, postgresBin })
        {
            info.ArgumentList.Add(argument);
        }

        using var _ = Process.Start(info);
    }
}
