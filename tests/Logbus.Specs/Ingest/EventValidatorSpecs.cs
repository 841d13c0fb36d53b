extern alias api;

using System.Text.Json;
using api::Logbus.Api.Ingest;
using Microsoft.Extensions.Options;

namespace Logbus.Specs.Ingest;

[Trait("Kind", "Unit")]
public sealed class EventValidatorSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);
    private readonly EventValidator _validator = new(Options.Create(new IngestOptions()));

    [Fact]
    public void A_minimal_event_gets_a_time_ordered_id_the_current_time_and_INFO()
    {
        var (accepted, errors) = Validate("""{"message":"hello","source":"app"}""");

        Assert.Empty(errors);
        Assert.Equal(7, Guid.Parse(accepted!.Id).Version);
        Assert.Equal(Now, accepted.Timestamp);
        Assert.Equal("INFO", accepted.Level);
        Assert.Equal(Now, accepted.ReceivedAt);
    }

    [Theory]
    [InlineData("""{"MESSAGE":"hello","Source":"app","LeVeL":"warn","TraceId":"0af7651916cd43dd8448eb211c80319c","ID":"x-1"}""")]
    [InlineData("""{"\u006dessage":"hello","sour\u0063e":"app","level":"warn","traceid":"0af7651916cd43dd8448eb211c80319c","id":"x-1"}""")]
    public void Field_names_are_matched_whatever_their_case_or_escapes(string json)
    {
        var (accepted, errors) = Validate(json);

        Assert.Empty(errors);
        Assert.Equal(("hello", "app", "WARN", "0af7651916cd43dd8448eb211c80319c", "x-1"),
            (accepted!.Message, accepted.Source, accepted.Level, accepted.TraceId, accepted.Id));
    }

    [Theory]
    [InlineData("1e131071", 131_072)]
    [InlineData("-1e400", 402)]
    [InlineData("1.50e-3", 7)]
    [InlineData("12.5", 4)]
    [InlineData("0.000", 5)]
    [InlineData("123e2", 5)]
    [InlineData("1E+2", 3)]
    public void A_number_counts_at_its_length_written_out_in_full(string number, long length) =>
        Assert.Equal(length, Logbus.Storage.Writing.StorableValues.WrittenOutLength(System.Text.Encoding.ASCII.GetBytes(number)));

    [Fact]
    public void Metadata_whose_numbers_would_be_returned_written_out_past_the_limit_is_refused()
    {
        // 785 bytes sent, 6.5 MB in every answer that returned the event: PostgreSQL stores 1e131071 and gives it back as a
        // 1 followed by 131,071 zeros.
        var numbers = string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"n{i}\":1e131071"));
        var errors = Errors(_validator, "{\"message\":\"m\",\"source\":\"s\",\"metadata\":{" + numbers + "}}");

        var error = Assert.Single(errors);
        Assert.Equal("metadata", error.Field);
        Assert.Contains("Ingest:MaxMetadataBytes", error.Reason, StringComparison.Ordinal);
        Assert.Contains("written out", error.Reason, StringComparison.Ordinal);

        // Ordinary numbers are as long as they are sent.
        Assert.Empty(Errors(_validator, """{"message":"m","source":"s","metadata":{"ms":12.5,"count":1e3,"tiny":1.5e-7}}"""));
    }

    [Theory]
    [InlineData("message", "Ingest:MaxMessageBytes")]
    [InlineData("exception", "Ingest:MaxExceptionBytes")]
    [InlineData("source", "Ingest:MaxSourceLength")]
    [InlineData("id", "Ingest:MaxIdLength")]
    public void A_field_over_its_limit_is_answered_with_the_setting_that_sets_it(string field, string setting)
    {
        var json = $$"""{"message":"m","source":"s","{{field}}":"{{new string('x', 70_000)}}"}""";

        var error = Assert.Single(Errors(_validator, json));

        Assert.Equal(field, error.Field);
        Assert.Contains(setting, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_that_only_resembles_a_field_is_not_one()
    {
        var (accepted, errors) = Validate("""{"message":"hello","source":"app","ids":"x-2","messages":"other","Id_":"x-3"}""");

        Assert.Empty(errors);
        Assert.Equal("hello", accepted!.Message);
        Assert.Equal(7, Guid.Parse(accepted.Id).Version);
    }

    [Theory]
    [InlineData("Information", "INFO")]
    [InlineData("warning", "WARN")]
    [InlineData("Verbose", "TRACE")]
    [InlineData("critical", "FATAL")]
    [InlineData("ERR", "ERROR")]
    [InlineData("debug", "DEBUG")]
    public void Level_aliases_are_normalized(string given, string stored) =>
        Assert.Equal(stored, Validate($$"""{"message":"m","source":"s","level":"{{given}}"}""").Accepted!.Level);

    [Theory]
    [InlineData("2026-11-24T10:00:00", "2026-11-24T10:00:00+00:00")]
    [InlineData("2026-11-24T10:00:00+02:00", "2026-11-24T08:00:00+00:00")]
    [InlineData("2026-11-24T10:00:00.123456Z", "2026-11-24T10:00:00.123456+00:00")]
    public void A_timestamp_without_offset_is_UTC_and_others_are_converted(string given, string stored) =>
        Assert.Equal(DateTimeOffset.Parse(stored, System.Globalization.CultureInfo.InvariantCulture),
            Validate($$"""{"message":"m","source":"s","timestamp":"{{given}}"}""").Accepted!.Timestamp);

    [Theory]
    [InlineData("""{"source":"s"}""", "message", "is required")]
    [InlineData("""{"message":"  ","source":"s"}""", "message", "must not be empty")]
    [InlineData("""{"message":5,"source":"s"}""", "message", "must be a string, not a number")]
    [InlineData("""{"message":"m"}""", "source", "is required")]
    [InlineData("""{"message":"m","source":"s","level":"LOUD"}""", "level", "must be one of")]
    [InlineData("""{"message":"m","source":"s","timestamp":"yesterday"}""", "timestamp", "ISO-8601")]
    [InlineData("""{"message":"m","source":"s","metadata":[1]}""", "metadata", "must be a JSON object, not an array")]
    [InlineData("""{"message":"m","source":"s","traceId":"xyz"}""", "traceId", "32 hexadecimal")]
    [InlineData("""{"message":"m","source":"s","spanId":"0123456789abcdef0"}""", "spanId", "16 hexadecimal")]
    [InlineData("""{"message":"m","source":"s","id":""}""", "id", "non-empty string")]
    [InlineData("""{"message":"m","source":"s","id":42}""", "id", "non-empty string")]
    [InlineData("""{"message":"a\u0000b","source":"s"}""", "message", "NUL")]
    [InlineData("""{"message":"m","source":"s","metadata":{"k":"a\u0000b"}}""", "metadata", "NUL")]
    public void A_bad_field_is_named_with_the_reason(string json, string field, string reason)
    {
        var (accepted, errors) = Validate(json);

        Assert.Null(accepted);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_limit_is_enforced_at_its_edge()
    {
        var limits = new IngestOptions { MaxIdLength = 8, MaxMessageBytes = 10, MaxSourceLength = 5, MaxMetadataBytes = 30, MaxMetadataDepth = 2,
            MaxExceptionBytes = 4 };
        var validator = new EventValidator(Options.Create(limits));
        Assert.Empty(Errors(validator, """{"id":"12345678","message":"0123456789","source":"abcde","exception":"1234","metadata":{"a":{"b":1}}}"""));

        Assert.Equal("id", Assert.Single(Errors(validator, """{"id":"123456789","message":"m","source":"s"}""")).Field);
        // "é" is two bytes in UTF-8: ten characters, eleven bytes.
        Assert.Equal("message", Assert.Single(Errors(validator, """{"message":"é123456789","source":"s"}""")).Field);
        Assert.Equal("source", Assert.Single(Errors(validator, """{"message":"m","source":"abcdef"}""")).Field);
        Assert.Equal("exception", Assert.Single(Errors(validator, """{"message":"m","source":"s","exception":"12345"}""")).Field);
        Assert.Equal("metadata", Assert.Single(Errors(validator, """{"message":"m","source":"s","metadata":{"a":{"b":{"c":1}}}}""")).Field);
        Assert.Equal("metadata", Assert.Single(Errors(validator, """{"message":"m","source":"s","metadata":{"long":"0123456789012345678901234"}}"""))
            .Field);
    }

    [Fact]
    public void An_accepted_event_keeps_its_metadata_after_the_request_body_is_gone()
    {
        var errors = new List<FieldError>();
        Logbus.Contracts.AcceptedLogEvent? accepted;
        using (var document = JsonDocument.Parse("""{"message":"m","source":"s","metadata":{"userId":"student123"}}"""))
        {
            accepted = _validator.Validate(IncomingEvent.FromJson(document.RootElement), null, Now, errors);
        }

        Assert.Equal("student123", accepted!.Metadata!.Value.GetProperty("userId").GetString());
    }

    [Fact]
    public void A_default_source_fills_in_but_never_overrides()
    {
        var errors = new List<FieldError>();
        var named = _validator.Validate(Incoming("""{"message":"m","source":"mine"}"""), "key-source", Now, errors);
        var unnamed = _validator.Validate(Incoming("""{"message":"m"}"""), "key-source", Now, errors);

        Assert.Empty(errors);
        Assert.Equal("mine", named!.Source);
        Assert.Equal("key-source", unnamed!.Source);
    }

    private (Logbus.Contracts.AcceptedLogEvent? Accepted, List<FieldError> Errors) Validate(string json)
    {
        var errors = new List<FieldError>();
        return (_validator.Validate(Incoming(json), null, Now, errors), errors);
    }

    private static List<FieldError> Errors(EventValidator validator, string json)
    {
        var errors = new List<FieldError>();
        validator.Validate(Incoming(json), null, Now, errors);
        return errors;
    }

    private static IncomingEvent Incoming(string json) => IncomingEvent.FromJson(JsonDocument.Parse(json).RootElement);
}
