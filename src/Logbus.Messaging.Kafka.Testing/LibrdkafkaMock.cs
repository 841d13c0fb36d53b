using System.Reflection;
using System.Runtime.InteropServices;

namespace Logbus.Messaging.Kafka.Testing;

/// <summary>
/// P/Invoke bindings to the mock-cluster part of librdkafka's C API, from the librdkafka that librdkafka.redist ships.
/// </summary>
/// <remarks>
/// On Debian the plain <c>librdkafka.so</c> of librdkafka.redist needs <c>libsasl2.so.3</c>, which Debian lacks, so
/// the resolver falls back to the <c>centos8-librdkafka.so</c> build beside it.
/// </remarks>
internal static partial class LibrdkafkaMock
{
    private const string Library = "librdkafka";

    static LibrdkafkaMock() =>
        NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaMock).Assembly, Resolve);

    /// <summary>Forces the static constructor, so the resolver is in place before the first call.</summary>
    public static void EnsureResolver()
    {
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in Candidates())
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            "librdkafka could not be loaded. Looked for: " + string.Join(", ", Candidates()) +
            ". It ships with the librdkafka.redist package that Confluent.Kafka brings.");
    }

    private static IEnumerable<string> Candidates()
    {
        var baseDir = AppContext.BaseDirectory;
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        if (OperatingSystem.IsLinux())
        {
            var native = Path.Combine(baseDir, "runtimes", $"linux-{rid}", "native");
            yield return Path.Combine(native, "librdkafka.so");
            yield return Path.Combine(native, "centos8-librdkafka.so");
            yield return Path.Combine(native, "alpine-librdkafka.so");
            yield return Path.Combine(baseDir, "librdkafka.so");
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return Path.Combine(baseDir, "runtimes", $"osx-{(rid == "arm64" ? "arm64" : "x64")}", "native", "librdkafka.dylib");
            yield return Path.Combine(baseDir, "librdkafka.dylib");
        }
        else if (OperatingSystem.IsWindows())
        {
            yield return Path.Combine(baseDir, "runtimes", $"win-{rid}", "native", "librdkafka.dll");
            yield return Path.Combine(baseDir, "librdkafka.dll");
        }

        yield return "librdkafka";
    }

    internal const int ProducerType = 0;
    internal const int ConfOk = 0;

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_conf_destroy(IntPtr conf);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void rd_kafka_mock_broker_set_host_port(IntPtr cluster, int brokerId, string host, int port);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_rtt(IntPtr cluster, int brokerId, int rttMs);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nuint count, int[] errors);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_clear_request_errors(IntPtr cluster, short apiKey);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr cluster, int delayMs);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_err2str(int error);
}
