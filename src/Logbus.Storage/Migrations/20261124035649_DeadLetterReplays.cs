using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Logbus.Storage.Migrations
{
    /// <summary>Which dead-lettered records were replayed, and when: the dead-letter listing shows it.</summary>
    public partial class DeadLetterReplays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE dead_letter_replays (
                    dead_letter_topic varchar(249) NOT NULL,
                    dead_letter_partition int NOT NULL,
                    dead_letter_offset bigint NOT NULL,
                    message_id uuid NOT NULL,
                    replayed_to varchar(249) NOT NULL,
                    replayed_at timestamptz NOT NULL DEFAULT now(),
                    CONSTRAINT pk_dead_letter_replays PRIMARY KEY (dead_letter_topic, dead_letter_partition, dead_letter_offset)
                );
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE dead_letter_replays;");
        }
    }
}
