using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ReplyCutOff : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "cut_off",
                table: "messages",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "cut_off",
                table: "messages");
        }
    }
}
