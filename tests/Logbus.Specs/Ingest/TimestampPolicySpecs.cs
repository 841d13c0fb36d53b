extern alias api;

using System.Globalization;
using System.Text.Json;
using api::Logbus.Api.Ingest;
using Logbus.Storage.Partitions;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Ingest;

/// <summary>
/// An event's timestamp may be as old as the retention and as far ahead as <c>Ingest:MaxTimestampAhead</c>, in the one
/// validator every route uses; outside, the timestamp field is named with the limit and its setting.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class TimestampPolicySpecs
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);

    private readonly EventValidator _validator = new(Options.Create(new IngestOptions { MaxTimestampAhead = TimeSpan.FromHours(6) }),
        Options.Create(new LogEventPartitionOptions { RetentionDays = 10 }));

    [Fact]
    public void The_edges_of_the_window_are_accepted()
    {
        Assert.Empty(Errors(Now.AddDays(-10)));
        Assert.Empty(Errors(Now.AddHours(6)));
        Assert.Empty(Errors(Now));
    }

    [Fact]
    public void Older_than_the_retention_is_refused_naming_the_setting()
    {
        var error = Assert.Single(Errors(Now.AddDays(-10).AddSeconds(-1)));

        Assert.Equal("timestamp", error.Field);
        Assert.Contains("10 days", error.Reason, StringComparison.Ordinal);
        Assert.Contains("Storage:Partitions:RetentionDays", error.Reason, StringComparison.Ordinal);
        Assert.Contains("2026-11-14T09:30:00Z", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Further_ahead_than_the_setting_is_refused_naming_it()
    {
        var error = Assert.Single(Errors(Now.AddHours(6).AddSeconds(1)));

        Assert.Equal("timestamp", error.Field);
        Assert.Contains("Ingest:MaxTimestampAhead", error.Reason, StringComparison.Ordinal);
        Assert.Contains("2026-11-24T15:30:00Z", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2999-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1969-07-20T20:17:40Z")]
    public void Extreme_timestamps_are_refused(string timestamp) =>
        Assert.Equal("timestamp", Assert.Single(Errors(timestamp)).Field);

    [Fact]
    public void The_defaults_allow_a_day_ahead_and_the_30_day_retention()
    {
        var validator = new EventValidator(Options.Create(new IngestOptions()));

        Assert.Empty(Errors(Now.AddDays(1), validator));
        Assert.Empty(Errors(Now.AddDays(-30), validator));
        Assert.Single(Errors(Now.AddDays(1).AddTicks(1), validator));
        Assert.Single(Errors(Now.AddDays(-30).AddTicks(-1), validator));
    }

    [Fact]
    public void An_event_without_a_timestamp_is_received_now_and_within_the_window() =>
        Assert.Equal(Now, Accept("""{"message":"m","source":"s"}""")!.Timestamp);

    private List<FieldError> Errors(DateTimeOffset timestamp, EventValidator? validator = null) =>
        Errors(timestamp.ToString("O", CultureInfo.InvariantCulture), validator);

    private List<FieldError> Errors(string timestamp, EventValidator? validator = null)
    {
        var errors = new List<FieldError>();
        using var doc = JsonDocument.Parse($$"""{"message":"m","source":"s","timestamp":"{{timestamp}}"}""");
        (validator ?? _validator).Validate(IncomingEvent.FromJson(doc.RootElement), null, Now, errors);
        return errors;
    }

    private Logbus.Contracts.AcceptedLogEvent? Accept(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return _validator.Validate(IncomingEvent.FromJson(doc.RootElement), null, Now, []);
    }
}
