using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Shirabe.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SurveysAndWaves : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // 1. The new tables and columns (docs/decisions/030).

            migrationBuilder.CreateTable(
                name: "AccessLinks",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    InvitationId = table.Column<int>(type: "integer", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RevokedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessLinks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccessLinks_Invitations_InvitationId",
                        column: x => x.InvitationId,
                        principalTable: "Invitations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Series",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Series", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Organisations",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SeriesId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Code = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Organisations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Organisations_Series_SeriesId",
                        column: x => x.SeriesId,
                        principalTable: "Series",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Surveys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    SeriesId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PreviousSurveyId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    PublishedVersionId = table.Column<int>(type: "integer", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Surveys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Surveys_Series_SeriesId",
                        column: x => x.SeriesId,
                        principalTable: "Series",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Surveys_Surveys_PreviousSurveyId",
                        column: x => x.PreviousSurveyId,
                        principalTable: "Surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "SurveyVersions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SurveyId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    SurveyYaml = table.Column<string>(type: "text", nullable: false),
                    ReportYaml = table.Column<string>(type: "text", nullable: true),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CreatedByUserId = table.Column<int>(type: "integer", nullable: true),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    PublishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SurveyVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SurveyVersions_AdminUsers_CreatedByUserId",
                        column: x => x.CreatedByUserId,
                        principalTable: "AdminUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_SurveyVersions_Surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "Surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.RenameColumn(
                name: "AssociationId",
                table: "Invitations",
                newName: "OrganisationId");

            migrationBuilder.AddColumn<string>(
                name: "Channel",
                table: "Submissions",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                defaultValue: "web");

            migrationBuilder.AddColumn<int>(
                name: "SurveyVersionId",
                table: "Submissions",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Valid",
                table: "Submissions",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<int>(
                name: "ValidityChangedBy",
                table: "Submissions",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ValidityReason",
                table: "Submissions",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Attributes",
                table: "Invitations",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Cc",
                table: "Invitations",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContactEmail",
                table: "Invitations",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContactName",
                table: "Invitations",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Industry",
                table: "Invitations",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SurveyVersionId",
                table: "Drafts",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SurveyVersionId",
                table: "AnswerHistory",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "OpenedAt",
                table: "Invitations",
                type: "timestamp with time zone",
                nullable: true);

            // 2. The rows move by hand-written SQL, keeping every id: associations become organisations (their contact
            // columns go to their invitations); of the invitations of one organisation and survey (a link reissued before
            // this version made a new row) the newest stays and every row's token becomes one of its access links. The
            // others' answers move to it where it has none (a draft, a submission, a history version it lacks); mails move.

            migrationBuilder.Sql("""
                CREATE TABLE "InvitationKeepers" ("Id" integer NOT NULL PRIMARY KEY, "KeepId" integer NOT NULL);
                INSERT INTO "InvitationKeepers" ("Id", "KeepId")
                SELECT i."Id", (SELECT k."Id" FROM "Invitations" k WHERE k."OrganisationId" = i."OrganisationId" AND k."SurveyId" = i."SurveyId"
                                ORDER BY k."CreatedAt" DESC, k."Id" DESC LIMIT 1)
                FROM "Invitations" i;
                """);

            migrationBuilder.Sql("""
                INSERT INTO "Series" ("Id", "Title", "CreatedAt")
                SELECT "SurveyId", "SurveyId", MIN("CreatedAt") FROM "Invitations" GROUP BY "SurveyId";
                INSERT INTO "Series" ("Id", "Title", "CreatedAt")
                SELECT 'default', 'default', (SELECT MIN("CreatedAt") FROM "Associations")
                WHERE EXISTS (SELECT 1 FROM "Associations" a WHERE NOT EXISTS (SELECT 1 FROM "Invitations" i WHERE i."OrganisationId" = a."Id"))
                  AND NOT EXISTS (SELECT 1 FROM "Series" WHERE "Id" = 'default');
                INSERT INTO "Surveys" ("Id", "SeriesId", "Title", "CreatedAt")
                SELECT "SurveyId", "SurveyId", "SurveyId", MIN("CreatedAt") FROM "Invitations" GROUP BY "SurveyId";
                """);

            migrationBuilder.Sql("""
                INSERT INTO "Organisations" ("Id", "SeriesId", "Code", "Name", "CreatedAt")
                SELECT a."Id", COALESCE((SELECT MIN(i."SurveyId") FROM "Invitations" i WHERE i."OrganisationId" = a."Id"), 'default'),
                       a."Code", a."Name", a."CreatedAt"
                FROM "Associations" a;
                """);

            migrationBuilder.Sql("""
                UPDATE "Invitations" SET
                    "Industry" = (SELECT a."Industry" FROM "Associations" a WHERE a."Id" = "Invitations"."OrganisationId"),
                    "ContactName" = (SELECT a."ContactName" FROM "Associations" a WHERE a."Id" = "Invitations"."OrganisationId"),
                    "ContactEmail" = (SELECT a."ContactEmail" FROM "Associations" a WHERE a."Id" = "Invitations"."OrganisationId");
                """);

            migrationBuilder.Sql("""
                INSERT INTO "AccessLinks" ("InvitationId", "TokenHash", "CreatedAt", "RevokedAt")
                SELECT k."KeepId", i."TokenHash", i."CreatedAt", i."RevokedAt"
                FROM "Invitations" i JOIN "InvitationKeepers" k ON k."Id" = i."Id"
                ORDER BY i."Id";
                """);

            migrationBuilder.Sql("""
                UPDATE "Drafts" SET "InvitationId" = (SELECT k."KeepId" FROM "InvitationKeepers" k WHERE k."Id" = "Drafts"."InvitationId")
                WHERE "Id" IN (SELECT MAX(d."Id") FROM "Drafts" d JOIN "InvitationKeepers" k ON k."Id" = d."InvitationId"
                               GROUP BY k."KeepId" HAVING SUM(CASE WHEN k."Id" = k."KeepId" THEN 1 ELSE 0 END) = 0);
                UPDATE "Submissions" SET "InvitationId" = (SELECT k."KeepId" FROM "InvitationKeepers" k WHERE k."Id" = "Submissions"."InvitationId")
                WHERE "Id" IN (SELECT MAX(d."Id") FROM "Submissions" d JOIN "InvitationKeepers" k ON k."Id" = d."InvitationId"
                               GROUP BY k."KeepId" HAVING SUM(CASE WHEN k."Id" = k."KeepId" THEN 1 ELSE 0 END) = 0);
                UPDATE "AnswerHistory" SET "InvitationId" = (SELECT k."KeepId" FROM "InvitationKeepers" k WHERE k."Id" = "AnswerHistory"."InvitationId")
                WHERE "InvitationId" IN (SELECT "Id" FROM "InvitationKeepers" WHERE "Id" <> "KeepId")
                  AND NOT EXISTS (SELECT 1 FROM "AnswerHistory" h JOIN "InvitationKeepers" k ON k."KeepId" = h."InvitationId"
                                  WHERE k."Id" = "AnswerHistory"."InvitationId" AND h."Version" = "AnswerHistory"."Version");
                UPDATE "OutboxMails" SET "InvitationId" = (SELECT k."KeepId" FROM "InvitationKeepers" k WHERE k."Id" = "OutboxMails"."InvitationId")
                WHERE "InvitationId" IN (SELECT "Id" FROM "InvitationKeepers" WHERE "Id" <> "KeepId");
                UPDATE "MailAttempts" SET "InvitationId" = (SELECT k."KeepId" FROM "InvitationKeepers" k WHERE k."Id" = "MailAttempts"."InvitationId")
                WHERE "InvitationId" IN (SELECT "Id" FROM "InvitationKeepers" WHERE "Id" <> "KeepId");
                """);

            migrationBuilder.Sql("""
                UPDATE "Invitations" SET "OpenedAt" = COALESCE(
                    (SELECT d."UpdatedAt" FROM "Drafts" d WHERE d."InvitationId" = "Invitations"."Id"),
                    (SELECT s."FirstSubmittedAt" FROM "Submissions" s WHERE s."InvitationId" = "Invitations"."Id"));
                """);

            migrationBuilder.Sql("""
                DELETE FROM "Invitations" WHERE "Id" IN (SELECT "Id" FROM "InvitationKeepers" WHERE "Id" <> "KeepId");
                DROP TABLE "InvitationKeepers";
                """);

            migrationBuilder.Sql("""
                SELECT setval(pg_get_serial_sequence('"Organisations"', 'Id'), COALESCE((SELECT MAX("Id") FROM "Organisations"), 0) + 1, false);
                """);

            // 3. The old columns go (the old table in DropAssociations: on SQLite the columns go by rebuilding the tables at
            // the end of the migration, and dropping the table before would delete the invitations that still refer to it).

            migrationBuilder.DropForeignKey(
                name: "FK_Invitations_Associations_AssociationId",
                table: "Invitations");

            migrationBuilder.DropIndex(
                name: "IX_Invitations_SurveyId_AssociationId",
                table: "Invitations");

            migrationBuilder.DropIndex(
                name: "IX_Invitations_TokenHash",
                table: "Invitations");

            migrationBuilder.DropColumn(
                name: "TokenHash",
                table: "Invitations");

            migrationBuilder.DropColumn(
                name: "RevokedAt",
                table: "Invitations");

            migrationBuilder.RenameIndex(
                name: "IX_Invitations_AssociationId",
                table: "Invitations",
                newName: "IX_Invitations_OrganisationId");

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_SurveyVersionId",
                table: "Submissions",
                column: "SurveyVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_ValidityChangedBy",
                table: "Submissions",
                column: "ValidityChangedBy");

            migrationBuilder.CreateIndex(
                name: "IX_Invitations_SurveyId_OrganisationId",
                table: "Invitations",
                columns: new[] { "SurveyId", "OrganisationId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Drafts_SurveyVersionId",
                table: "Drafts",
                column: "SurveyVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_AnswerHistory_SurveyVersionId",
                table: "AnswerHistory",
                column: "SurveyVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessLinks_InvitationId",
                table: "AccessLinks",
                column: "InvitationId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessLinks_TokenHash",
                table: "AccessLinks",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_SeriesId_Code",
                table: "Organisations",
                columns: new[] { "SeriesId", "Code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Surveys_PreviousSurveyId",
                table: "Surveys",
                column: "PreviousSurveyId");

            migrationBuilder.CreateIndex(
                name: "IX_Surveys_PublishedVersionId",
                table: "Surveys",
                column: "PublishedVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_Surveys_SeriesId",
                table: "Surveys",
                column: "SeriesId");

            migrationBuilder.CreateIndex(
                name: "IX_SurveyVersions_CreatedByUserId",
                table: "SurveyVersions",
                column: "CreatedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_SurveyVersions_SurveyId_Number",
                table: "SurveyVersions",
                columns: new[] { "SurveyId", "Number" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_AnswerHistory_SurveyVersions_SurveyVersionId",
                table: "AnswerHistory",
                column: "SurveyVersionId",
                principalTable: "SurveyVersions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Drafts_SurveyVersions_SurveyVersionId",
                table: "Drafts",
                column: "SurveyVersionId",
                principalTable: "SurveyVersions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Invitations_Organisations_OrganisationId",
                table: "Invitations",
                column: "OrganisationId",
                principalTable: "Organisations",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_Invitations_Surveys_SurveyId",
                table: "Invitations",
                column: "SurveyId",
                principalTable: "Surveys",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Submissions_AdminUsers_ValidityChangedBy",
                table: "Submissions",
                column: "ValidityChangedBy",
                principalTable: "AdminUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_Submissions_SurveyVersions_SurveyVersionId",
                table: "Submissions",
                column: "SurveyVersionId",
                principalTable: "SurveyVersions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Surveys_SurveyVersions_PublishedVersionId",
                table: "Surveys",
                column: "PublishedVersionId",
                principalTable: "SurveyVersions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Several links per invitation and answers stamped with versions have no place in the old schema.
            throw new NotSupportedException("SurveysAndWaves cannot be reverted: restore a backup taken before the upgrade.");
        }
    }
}
