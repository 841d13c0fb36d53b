using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Logbus.Storage.Migrations
{
    /// <summary>
    /// Live tail follows events in the order they were stored (<c>stored_at</c>, PostgreSQL's <c>now()</c> by default),
    /// so events dated in the future cannot hide newer ones. Rows arrive in <c>stored_at</c> order, so a BRIN index finds
    /// the last seconds' rows of each partition from a few pages, and costs inserts next to nothing (it is updated once
    /// per range of 128 pages, unlike a btree's entry per row). No model change: the index exists only in SQL.
    /// </summary>
    [DbContext(typeof(LogbusDbContext))]
    [Migration("20261203120000_StoredAtIndex")]
    public partial class StoredAtIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE INDEX IF NOT EXISTS ix_log_events_stored_at ON log_events USING brin (stored_at);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_log_events_stored_at;");
        }
    }
}
