using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class EncryptedConversationText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_sessions_key_insights",
                table: "sessions");

            migrationBuilder.DropCheckConstraint(
                name: "ck_sessions_suggested_goals",
                table: "sessions");

            migrationBuilder.DropCheckConstraint(
                name: "ck_messages_actions",
                table: "messages");

            migrationBuilder.DropCheckConstraint(
                name: "ck_goals_goal_text",
                table: "goals");

            migrationBuilder.AlterColumn<string>(
                name: "suggested_goals",
                table: "sessions",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "jsonb",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "key_insights",
                table: "sessions",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "jsonb",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "insights",
                table: "personality_assessments",
                type: "text",
                nullable: false,
                defaultValueSql: "'[]'",
                oldClrType: typeof(string),
                oldType: "jsonb",
                oldDefaultValueSql: "'[]'::jsonb");

            migrationBuilder.AlterColumn<string>(
                name: "actions",
                table: "messages",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "jsonb",
                oldNullable: true);

            migrationBuilder.Sql("ALTER TABLE sessions ADD CONSTRAINT ck_sessions_key_insights CHECK (key_insights IS NULL OR key_insights LIKE 'enc1:%') NOT VALID;");
            migrationBuilder.Sql(Validate("sessions", "ck_sessions_key_insights"));

            migrationBuilder.Sql("ALTER TABLE sessions ADD CONSTRAINT ck_sessions_suggested_goals CHECK (suggested_goals IS NULL OR suggested_goals LIKE 'enc1:%') NOT VALID;");
            migrationBuilder.Sql(Validate("sessions", "ck_sessions_suggested_goals"));

            migrationBuilder.Sql("ALTER TABLE messages ADD CONSTRAINT ck_messages_actions CHECK (actions IS NULL OR (role = 'assistant' AND actions LIKE 'enc1:%')) NOT VALID;");
            migrationBuilder.Sql(Validate("messages", "ck_messages_actions"));

            migrationBuilder.AddCheckConstraint(
                name: "ck_goals_goal_text",
                table: "goals",
                sql: "goal_text <> ''");
        }

        /// <summary>Validates the constraint unless rows from before encryption break it; then it stays NOT VALID.</summary>
        private static string Validate(string table, string constraint) => $"""
            DO $$
            BEGIN
                ALTER TABLE {table} VALIDATE CONSTRAINT {constraint};
            EXCEPTION WHEN check_violation THEN
                RAISE NOTICE '{constraint} holds for new rows only: {table} has rows written before encryption at rest';
            END $$;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Going back would need every user's key to decrypt the values to JSON: SQL has none.
            throw new NotSupportedException("EncryptedConversationText cannot be reverted: the encrypted columns can only be decrypted by the service.");
        }
    }
}
