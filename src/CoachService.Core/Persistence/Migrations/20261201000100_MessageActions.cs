using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class MessageActions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "actions",
                table: "messages",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_messages_actions",
                table: "messages",
                sql: "actions IS NULL OR (role = 'assistant' AND jsonb_typeof(actions) = 'array')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_messages_actions",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "actions",
                table: "messages");
        }
    }
}
