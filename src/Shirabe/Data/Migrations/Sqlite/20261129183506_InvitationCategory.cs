using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shirabe.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InvitationCategory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "Industry",
                table: "Invitations",
                newName: "Category");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "Category",
                table: "Invitations",
                newName: "Industry");
        }
    }
}
