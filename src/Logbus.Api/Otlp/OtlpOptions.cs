using System.ComponentModel.DataAnnotations;

namespace Logbus.Api.Otlp;

/// <summary>
/// OTLP logs ingest (section <c>Otlp</c>): the extra ports OpenTelemetry exporters expect, the source of records whose
/// resource names no <c>service.name</c>, and the bounds of a request's structure (its bytes are bounded by
/// <c>Ingest:MaxBodyBytes</c>).
/// </summary>
public sealed class OtlpOptions
{
    public const string Section = "Otlp";

    /// <summary>
    /// An extra HTTP/1.1 address for OTLP/HTTP (<c>http://localhost:4318</c>, OTLP's default), beside the Api's own
    /// <c>Urls</c>; empty = OTLP/HTTP only on the Api's own addresses.
    /// </summary>
    public string? HttpUrl { get; set; }

    /// <summary>An HTTP/2 cleartext address for OTLP/gRPC (<c>http://localhost:4317</c>); empty = no gRPC.</summary>
    public string? GrpcUrl { get; set; }

    /// <summary>Source of a record whose resource has no <c>service.name</c> and whose API key names no source.</summary>
    [Required]
    [MinLength(1)]
    public string DefaultSource { get; set; } = "otlp";

    /// <summary>Log records one request may carry (the .NET exporter sends 512, the Collector 8192 by default).</summary>
    [Range(1, 1_000_000)]
    public int MaxRecordsPerRequest { get; set; } = 20_000;

    /// <summary>
    /// How deeply messages may nest in a request; each level of an AnyValue array or key-value list takes two or three,
    /// and a request holds its records four levels down.
    /// </summary>
    [Range(8, 100)]
    public int MaxNestingDepth { get; set; } = 64;
}
