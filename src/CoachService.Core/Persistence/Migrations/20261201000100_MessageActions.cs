using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CoachService.Persistence.Migrations;

/// <summary>
/// messages.actions: what the coach's tools did while producing a reply (goal progress, mood
/// check-ins), so the conversation history and the data export show it.
/// </summary>
[DbContext(typeof(CoachDbContext))]
[Migration("20261201000100_MessageActions")]
public sealed class MessageActions : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE messages ADD COLUMN actions jsonb;
        ALTER TABLE messages ADD CONSTRAINT ck_messages_actions CHECK (actions IS NULL OR (role = 'assistant' AND jsonb_typeof(actions) = 'array'));
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE messages DROP CONSTRAINT ck_messages_actions;
        ALTER TABLE messages DROP COLUMN actions;
        """);
}
