using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SpeculationWaste : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_messages_tokens",
                table: "messages");

            migrationBuilder.AddColumn<int>(
                name: "wasted_input_tokens",
                table: "messages",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "wasted_output_tokens",
                table: "messages",
                type: "integer",
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_messages_tokens",
                table: "messages",
                sql: "(input_tokens IS NULL OR input_tokens >= 0) AND (output_tokens IS NULL OR output_tokens >= 0) AND (wasted_input_tokens IS NULL OR wasted_input_tokens >= 0) AND (wasted_output_tokens IS NULL OR wasted_output_tokens >= 0)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_messages_tokens",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "wasted_input_tokens",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "wasted_output_tokens",
                table: "messages");

            migrationBuilder.AddCheckConstraint(
                name: "ck_messages_tokens",
                table: "messages",
                sql: "(input_tokens IS NULL OR input_tokens >= 0) AND (output_tokens IS NULL OR output_tokens >= 0)");
        }
    }
}
