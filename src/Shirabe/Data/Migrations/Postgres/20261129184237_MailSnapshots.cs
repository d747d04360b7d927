using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Shirabe.Data.Migrations.Postgres
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
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<long>(
                name: "SnapshotId",
                table: "OutboxMails",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Values",
                table: "OutboxMails",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "MailSnapshots",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Format = table.Column<int>(type: "integer", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Subject = table.Column<string>(type: "text", nullable: false),
                    Body = table.Column<string>(type: "text", nullable: false),
                    Values = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);
        }
    }
}
