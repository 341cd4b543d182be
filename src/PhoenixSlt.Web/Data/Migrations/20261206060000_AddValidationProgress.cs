using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PhoenixSlt.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddValidationProgress : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ValidationDone",
                table: "runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ValidationTotal",
                table: "runs",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ValidationDone",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "ValidationTotal",
                table: "runs");
        }
    }
}
