namespace Logbus.Messaging.EntityFrameworkCore.BusOutbox;

/// <summary>Why a bus-outbox message was parked: the <c>reason</c> label of the parked-message metric and health check.</summary>
public static class ParkReasons
{
    /// <summary>Larger than the producer or the broker accepts for one record.</summary>
    public const string TooLarge = "too_large";

    /// <summary>Refused by the transport with an error no retry can fix (an invalid record, for example).</summary>
    public const string Refused = "refused";
}
