using Confluent.Kafka;

namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>The connection settings every client of the rider shares, from <c>k.Host(…)</c>.</summary>
internal sealed class KafkaHostSettings : IKafkaHostConfigurator
{
    private readonly List<Action<ClientConfig>> _configure = [];
    private KafkaSaslOptions? _sasl;
    private KafkaSslOptions? _ssl;
    private SecurityProtocol? _securityProtocol;

    public KafkaHostSettings(ClientConfig? baseConfig)
    {
        BaseConfig = baseConfig ?? new ClientConfig();
    }

    public ClientConfig BaseConfig { get; }

    public string? BootstrapServers { get; set; }

    public string ClientId { get; set; } = "logbus";

    public SecurityProtocol SecurityProtocol
    {
        set => _securityProtocol = value;
    }

    public void UseSasl(Action<KafkaSaslOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _sasl ??= new KafkaSaslOptions();
        configure(_sasl);
    }

    public void UseSsl(Action<KafkaSslOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _ssl ??= new KafkaSslOptions();
        configure(_ssl);
    }

    public void ConfigureClient(Action<ClientConfig> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure.Add(configure);
    }

    /// <summary>A fresh client configuration with every host setting applied; consumers and producers start from it.</summary>
    public ClientConfig CreateClientConfig()
    {
        var config = new ClientConfig(BaseConfig.ToDictionary(p => p.Key, p => p.Value));
        if (!string.IsNullOrWhiteSpace(BootstrapServers))
        {
            config.BootstrapServers = BootstrapServers;
        }

        config.ClientId ??= ClientId;

        var protocol = _securityProtocol ?? (_sasl, _ssl) switch
        {
            (not null, not null) => Confluent.Kafka.SecurityProtocol.SaslSsl,
            (not null, null) => Confluent.Kafka.SecurityProtocol.SaslPlaintext,
            (null, not null) => Confluent.Kafka.SecurityProtocol.Ssl,
            _ => (SecurityProtocol?)null,
        };
        if (protocol is not null)
        {
            config.SecurityProtocol = protocol;
        }

        if (_sasl is not null)
        {
            config.SaslMechanism = _sasl.Mechanism;
            config.SaslUsername = _sasl.Username;
            config.SaslPassword = _sasl.Password;
            if (_sasl.OAuthBearerConfig is not null)
            {
                config.SaslOauthbearerConfig = _sasl.OAuthBearerConfig;
            }
        }

        if (_ssl is not null)
        {
            config.SslCaLocation = _ssl.CaLocation;
            config.SslCertificateLocation = _ssl.CertificateLocation;
            config.SslKeyLocation = _ssl.KeyLocation;
            config.SslKeyPassword = _ssl.KeyPassword;
            config.EnableSslCertificateVerification = _ssl.EnableCertificateVerification;
            config.SslEndpointIdentificationAlgorithm = _ssl.VerifyHostName
                ? SslEndpointIdentificationAlgorithm.Https
                : SslEndpointIdentificationAlgorithm.None;
        }

        foreach (var configure in _configure)
        {
            configure(config);
        }

        return config;
    }
}
