using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PromptHashes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "prompt_hash",
                table: "personality_assessments",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "prompt_hash",
                table: "messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "prompt_hash",
                table: "message_emotions",
                type: "text",
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_personality_assessments_prompt_hash",
                table: "personality_assessments",
                sql: "prompt_hash IS NULL OR prompt_hash ~ '^[0-9a-f]{64}$'");

            migrationBuilder.AddCheckConstraint(
                name: "ck_messages_prompt_hash",
                table: "messages",
                sql: "prompt_hash IS NULL OR prompt_hash ~ '^[0-9a-f]{64}$'");

            migrationBuilder.AddCheckConstraint(
                name: "ck_message_emotions_prompt_hash",
                table: "message_emotions",
                sql: "prompt_hash IS NULL OR prompt_hash ~ '^[0-9a-f]{64}$'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_personality_assessments_prompt_hash",
                table: "personality_assessments");

            migrationBuilder.DropCheckConstraint(
                name: "ck_messages_prompt_hash",
                table: "messages");

            migrationBuilder.DropCheckConstraint(
                name: "ck_message_emotions_prompt_hash",
                table: "message_emotions");

            migrationBuilder.DropColumn(
                name: "prompt_hash",
                table: "personality_assessments");

            migrationBuilder.DropColumn(
                name: "prompt_hash",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "prompt_hash",
                table: "message_emotions");
        }
    }
}
