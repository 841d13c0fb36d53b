using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Logbus.Storage.Migrations
{
    /// <summary>An idempotency key records how its upload ended, so a retry knows at once whether to import again.</summary>
    [DbContext(typeof(LogbusDbContext))]
    [Migration("20261203122500_ImportUploadOutcome")]
    public partial class ImportUploadOutcome : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "upload_state",
                table: "import_idempotency_keys",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "lines_read",
                table: "import_idempotency_keys",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "accepted",
                table: "import_idempotency_keys",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "rejected",
                table: "import_idempotency_keys",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "upload_state", table: "import_idempotency_keys");
            migrationBuilder.DropColumn(name: "lines_read", table: "import_idempotency_keys");
            migrationBuilder.DropColumn(name: "accepted", table: "import_idempotency_keys");
            migrationBuilder.DropColumn(name: "rejected", table: "import_idempotency_keys");
        }
    }
}
