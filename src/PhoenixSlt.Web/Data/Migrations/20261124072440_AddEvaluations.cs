using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PhoenixSlt.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddEvaluations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "evaluations",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CheckpointId = table.Column<int>(type: "INTEGER", nullable: false),
                    CheckpointPath = table.Column<string>(type: "TEXT", nullable: false),
                    Dataset = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Split = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Beams = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Clips = table.Column<int>(type: "INTEGER", nullable: false),
                    Bleu1 = table.Column<double>(type: "REAL", nullable: true),
                    Bleu2 = table.Column<double>(type: "REAL", nullable: true),
                    Bleu3 = table.Column<double>(type: "REAL", nullable: true),
                    Bleu4 = table.Column<double>(type: "REAL", nullable: true),
                    SacreBleu = table.Column<double>(type: "REAL", nullable: true),
                    RougeL = table.Column<double>(type: "REAL", nullable: true),
                    Chrf = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_evaluations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_evaluations_checkpoints_CheckpointId",
                        column: x => x.CheckpointId,
                        principalTable: "checkpoints",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "evaluation_sentences",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EvaluationId = table.Column<int>(type: "INTEGER", nullable: false),
                    Index = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Reference = table.Column<string>(type: "TEXT", nullable: false),
                    Hypothesis = table.Column<string>(type: "TEXT", nullable: false),
                    SentenceBleu = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_evaluation_sentences", x => x.Id);
                    table.ForeignKey(
                        name: "FK_evaluation_sentences_evaluations_EvaluationId",
                        column: x => x.EvaluationId,
                        principalTable: "evaluations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_evaluation_sentences_EvaluationId_Index",
                table: "evaluation_sentences",
                columns: new[] { "EvaluationId", "Index" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_evaluations_CheckpointId",
                table: "evaluations",
                column: "CheckpointId");

            migrationBuilder.CreateIndex(
                name: "IX_evaluations_Status",
                table: "evaluations",
                column: "Status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "evaluation_sentences");

            migrationBuilder.DropTable(
                name: "evaluations");
        }
    }
}
