namespace Logbus.Messaging.Kafka.Configuration;

/// <summary>TLS settings, passed unchanged to Confluent's client configuration.</summary>
public sealed class KafkaSslOptions
{
    public string? CaLocation { get; set; }

    public string? CertificateLocation { get; set; }

    public string? KeyLocation { get; set; }

    public string? KeyPassword { get; set; }

    public bool EnableCertificateVerification { get; set; } = true;

    /// <summary>librdkafka's <c>ssl.endpoint.identification.algorithm</c>; <c>https</c> checks the broker's host name.</summary>
    public bool VerifyHostName { get; set; } = true;
}
