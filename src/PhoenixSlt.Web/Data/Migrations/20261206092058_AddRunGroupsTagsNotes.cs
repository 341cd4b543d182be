using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PhoenixSlt.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddRunGroupsTagsNotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "GroupId",
                table: "runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "GroupLabel",
                table: "runs",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Notes",
                table: "runs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Tags",
                table: "runs",
                type: "TEXT",
                maxLength: 1000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Notes",
                table: "checkpoints",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Tags",
                table: "checkpoints",
                type: "TEXT",
                maxLength: 1000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "run_groups",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    BaseSpecJson = table.Column<string>(type: "TEXT", nullable: false),
                    DefinitionJson = table.Column<string>(type: "TEXT", nullable: false),
                    Notes = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_groups", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_runs_GroupId",
                table: "runs",
                column: "GroupId");

            migrationBuilder.CreateIndex(
                name: "IX_run_groups_CreatedAt",
                table: "run_groups",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "run_groups");

            migrationBuilder.DropIndex(
                name: "IX_runs_GroupId",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "GroupId",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "GroupLabel",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "Notes",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "Tags",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "Notes",
                table: "checkpoints");

            migrationBuilder.DropColumn(
                name: "Tags",
                table: "checkpoints");
        }
    }
}
