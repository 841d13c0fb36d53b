namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>
/// Tells a send failure that no retry can fix from one that may pass (a broker away, a timeout). The delivery service
/// parks a message its classifiers call permanent and retries any other failure; without a classifier every failure is
/// retried. Transports register one (the Kafka one knows librdkafka's error codes).
/// </summary>
public interface IOutboxSendFailureClassifier
{
    /// <summary>The park reason (see <see cref="ParkReasons"/>) when <paramref name="exception"/> is permanent; otherwise null.</summary>
    string? PermanentReason(Exception exception);
}
