using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shirabe.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DropAssociations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // After SurveysAndWaves copied every association into Organisations and nothing refers to it any more.
            migrationBuilder.DropTable(
                name: "Associations");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            throw new NotSupportedException("DropAssociations cannot be reverted: restore a backup taken before the upgrade.");
        }
    }
}
