using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shirabe.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LinkStampsAndReminders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ReminderId",
                table: "OutboxMails",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Stamp",
                table: "AccessLinks",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Reminders",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SurveyId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Statuses = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ScheduledAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedByUserId = table.Column<int>(type: "INTEGER", nullable: true),
                    QueuedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Count = table.Column<int>(type: "INTEGER", nullable: true),
                    CancelledAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Reminders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Reminders_AdminUsers_CreatedByUserId",
                        column: x => x.CreatedByUserId,
                        principalTable: "AdminUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Reminders_Surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "Surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMails_ReminderId",
                table: "OutboxMails",
                column: "ReminderId");

            migrationBuilder.CreateIndex(
                name: "IX_Reminders_CreatedByUserId",
                table: "Reminders",
                column: "CreatedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_Reminders_SurveyId_ScheduledAt",
                table: "Reminders",
                columns: new[] { "SurveyId", "ScheduledAt" });

            migrationBuilder.AddForeignKey(
                name: "FK_OutboxMails_Reminders_ReminderId",
                table: "OutboxMails",
                column: "ReminderId",
                principalTable: "Reminders",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_OutboxMails_Reminders_ReminderId",
                table: "OutboxMails");

            migrationBuilder.DropTable(
                name: "Reminders");

            migrationBuilder.DropIndex(
                name: "IX_OutboxMails_ReminderId",
                table: "OutboxMails");

            migrationBuilder.DropColumn(
                name: "ReminderId",
                table: "OutboxMails");

            migrationBuilder.DropColumn(
                name: "Stamp",
                table: "AccessLinks");
        }
    }
}
