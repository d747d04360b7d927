using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shirabe.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VersionComparability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Comparability",
                table: "SurveyVersions",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Comparability",
                table: "SurveyVersions");
        }
    }
}
