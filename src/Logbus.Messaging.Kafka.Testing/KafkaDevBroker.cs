using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Testing;

/// <summary>
/// A Kafka broker for development and specs: librdkafka's mock cluster, which speaks the real Kafka protocol over
/// TCP on 127.0.0.1, hosted in this process. Clients connect to <see cref="BootstrapServers"/> as to any Kafka.
/// </summary>
/// <remarks>
/// It is a protocol double, not a durable log. Its known limits:
/// <list type="bullet">
/// <item>Each partition keeps only its newest 5 MiB or 100k message sets (fixed in librdkafka; no API raises them). A
/// consumer that falls further behind than that loses records there, which real Kafka would not do; Logbus's Api holds
/// delivery before that (its Kafka retention guard).</item>
/// <item>After a member leaves a group, a new member's join waits until the old member's session times out, so
/// clients should use a short <c>session.timeout.ms</c> (about 6 s) or a group of their own.</item>
/// <item>Everything lives in memory and ends with the process that hosts it.</item>
/// </list>
/// Real Kafka runs from <c>compose/</c>.
/// </remarks>
public sealed class KafkaDevBroker : IDisposable
{
    private const int AllBrokers = -1;

    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;
    private readonly Lock _gate = new();
    private readonly BrokerRelay? _relay;
    private bool _disposed;

    private KafkaDevBroker(IntPtr handle, IntPtr cluster, int brokerCount, int? port)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = Marshal.PtrToStringUTF8(LibrdkafkaMock.rd_kafka_mock_cluster_bootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
        if (port is { } relayed)
        {
            _relay = BrokerRelay.Start(relayed, BootstrapServers);
            // Metadata names the relay, so clients come back through it after they learned the broker.
            LibrdkafkaMock.rd_kafka_mock_broker_set_host_port(cluster, 1, "127.0.0.1", _relay.Port);
            BootstrapServers = $"127.0.0.1:{_relay.Port}";
        }
    }

    /// <summary>Comma-separated <c>host:port</c> list of the brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; their ids run from 1 to this number.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a mock cluster with the given shape.</summary>
    public static KafkaDevBroker Start(KafkaDevBrokerOptions? options = null)
    {
        options ??= new KafkaDevBrokerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BrokerCount, 1);
        if (options.Port is not null && options.BrokerCount != 1)
        {
            throw new ArgumentException("A port of its own is for a single broker.", nameof(options));
        }

        LibrdkafkaMock.EnsureResolver();

        var errors = new byte[512];
        var conf = LibrdkafkaMock.rd_kafka_conf_new();
        // The hosting handle never connects anywhere; without this it warns that no bootstrap.servers is set.
        SetConf(conf, "log_level", "3");
        var handle = LibrdkafkaMock.rd_kafka_new(LibrdkafkaMock.ProducerType, conf, errors, (nuint)errors.Length);
        if (handle == IntPtr.Zero)
        {
            LibrdkafkaMock.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException("librdkafka refused to create the handle hosting the mock cluster: " + ErrorText(errors));
        }

        var cluster = LibrdkafkaMock.rd_kafka_mock_cluster_new(handle, options.BrokerCount);
        if (cluster == IntPtr.Zero)
        {
            LibrdkafkaMock.rd_kafka_destroy(handle);
            throw new InvalidOperationException("librdkafka could not create the mock cluster (are loopback TCP ports available?).");
        }

        var broker = new KafkaDevBroker(handle, cluster, options.BrokerCount, options.Port);
        LibrdkafkaMock.rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, (int)options.InitialRebalanceDelay.TotalMilliseconds);
        foreach (var (topic, partitions) in options.Topics)
        {
            broker.CreateTopic(topic, partitions);
        }

        return broker;
    }

    /// <summary>Creates a topic. The replication factor cannot exceed <see cref="BrokerCount"/>.</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);
        Check(LibrdkafkaMock.rd_kafka_mock_topic_create(Cluster, topic, partitions, replicationFactor), $"create topic '{topic}'");
    }

    /// <summary>Takes a broker down: its connections close and it refuses new ones until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) =>
        Check(LibrdkafkaMock.rd_kafka_mock_broker_set_down(Cluster, brokerId), $"take broker {brokerId} down");

    /// <summary>Brings a broker taken down by <see cref="SetBrokerDown"/> back.</summary>
    public void SetBrokerUp(int brokerId) =>
        Check(LibrdkafkaMock.rd_kafka_mock_broker_set_up(Cluster, brokerId), $"bring broker {brokerId} up");

    /// <summary>
    /// Delays every answer of a broker by <paramref name="roundTrip"/> (zero for none): a slow broker, whose acknowledgements
    /// arrive after a client stopped waiting for them.
    /// </summary>
    public void SetBrokerRoundTrip(int brokerId, TimeSpan roundTrip) =>
        Check(LibrdkafkaMock.rd_kafka_mock_broker_set_rtt(Cluster, brokerId, (int)roundTrip.TotalMilliseconds),
            $"set the round trip of broker {brokerId}");

    /// <summary>Takes every broker down: to clients the cluster is unreachable.</summary>
    public void SetAllBrokersDown() => SetBrokerDown(AllBrokers);

    /// <summary>Brings every broker back up.</summary>
    public void SetAllBrokersUp() => SetBrokerUp(AllBrokers);

    /// <summary>
    /// Makes the next requests of a type fail: the n-th such request (on any broker) answers with the n-th error.
    /// </summary>
    public void PushRequestErrors(KafkaApiKey apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var codes = Array.ConvertAll(errors, e => (int)e);
        lock (_gate)
        {
            ThrowIfDisposed();
            LibrdkafkaMock.rd_kafka_mock_push_request_errors_array(_cluster, (short)apiKey, (nuint)codes.Length, codes);
        }
    }

    /// <summary>Drops request errors pushed for a request type that have not been used yet.</summary>
    public void ClearRequestErrors(KafkaApiKey apiKey)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            LibrdkafkaMock.rd_kafka_mock_clear_request_errors(_cluster, (short)apiKey);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _relay?.Dispose();
            LibrdkafkaMock.rd_kafka_mock_cluster_destroy(_cluster);
            LibrdkafkaMock.rd_kafka_destroy(_handle);
        }
    }

    private IntPtr Cluster
    {
        get
        {
            ThrowIfDisposed();
            return _cluster;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException(
                $"The dev broker could not {what}: {Marshal.PtrToStringUTF8(LibrdkafkaMock.rd_kafka_err2str(error))} ({(ErrorCode)error}).");
        }
    }

    private static void SetConf(IntPtr conf, string name, string value)
    {
        var errors = new byte[512];
        if (LibrdkafkaMock.rd_kafka_conf_set(conf, name, value, errors, (nuint)errors.Length) != LibrdkafkaMock.ConfOk)
        {
            throw new InvalidOperationException($"librdkafka refused {name}={value}: {ErrorText(errors)}");
        }
    }

    private static string ErrorText(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}
