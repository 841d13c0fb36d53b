using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Logbus.Storage.Migrations
{
    /// <summary>
    /// <c>log_events</c>, partitioned by day on the event timestamp, with a default partition so that no timestamp is
    /// ever refused. Written as SQL because EF Core cannot declare a partitioned table; the columns are those the
    /// model maps. Daily partitions are created by <c>LogEventPartitions</c>, not here, because they depend on the date.
    /// </summary>
    public partial class InitialLogEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE log_events (
                    id          varchar(64)  NOT NULL,
                    "timestamp" timestamptz  NOT NULL,
                    level       varchar(5)   NOT NULL,
                    message     text         NOT NULL,
                    source      varchar(200) NOT NULL,
                    metadata    jsonb        NULL,
                    trace_id    varchar(32)  NULL,
                    span_id     varchar(16)  NULL,
                    exception   text         NULL,
                    import_id   uuid         NULL,
                    received_at timestamptz  NOT NULL,
                    stored_at   timestamptz  NOT NULL DEFAULT now(),
                    CONSTRAINT pk_log_events PRIMARY KEY (id, "timestamp"),
                    CONSTRAINT ck_log_events_level CHECK (level IN ('TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'))
                ) PARTITION BY RANGE ("timestamp");

                CREATE TABLE log_events_default PARTITION OF log_events DEFAULT;

                -- Time-range scans: BRIN is tiny and cheap to maintain on time-ordered inserts.
                CREATE INDEX ix_log_events_timestamp ON log_events USING brin ("timestamp");
                -- The common filters, newest first.
                CREATE INDEX ix_log_events_source_timestamp ON log_events (source, "timestamp" DESC);
                CREATE INDEX ix_log_events_level_timestamp ON log_events (level, "timestamp" DESC);
                -- Metadata containment (metadata @> '{"userId":"student123"}').
                CREATE INDEX ix_log_events_metadata ON log_events USING gin (metadata jsonb_path_ops);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE log_events;");
        }
    }
}
