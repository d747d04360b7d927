using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shirabe.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MailSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "TextBody",
                table: "OutboxMails",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.AddColumn<long>(
                name: "SnapshotId",
                table: "OutboxMails",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Values",
                table: "OutboxMails",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "MailSnapshots",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Format = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    Values = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MailSnapshots", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMails_SnapshotId",
                table: "OutboxMails",
                column: "SnapshotId");

            migrationBuilder.AddForeignKey(
                name: "FK_OutboxMails_MailSnapshots_SnapshotId",
                table: "OutboxMails",
                column: "SnapshotId",
                principalTable: "MailSnapshots",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_OutboxMails_MailSnapshots_SnapshotId",
                table: "OutboxMails");

            migrationBuilder.DropTable(
                name: "MailSnapshots");

            migrationBuilder.DropIndex(
                name: "IX_OutboxMails_SnapshotId",
                table: "OutboxMails");

            migrationBuilder.DropColumn(
                name: "SnapshotId",
                table: "OutboxMails");

            migrationBuilder.DropColumn(
                name: "Values",
                table: "OutboxMails");

            migrationBuilder.AlterColumn<string>(
                name: "TextBody",
                table: "OutboxMails",
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
