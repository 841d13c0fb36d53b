namespace Logbus.Api.Ingest.Decoding;

/// <summary>
/// Thrown by a decoder of a binary wire format (OTLP protobuf, gRPC framing) for a body it cannot decode or that
/// exceeds one of its limits; <see cref="Exception.Message"/> says what is wrong, and names the setting for a limit.
/// </summary>
public sealed class UndecodableBodyException(string message, Exception? inner = null) : Exception(message, inner);
