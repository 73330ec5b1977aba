using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <summary>
    /// <c>coach_enter_user</c>: sets the unit of work's database-side user (<c>app.user_id</c>, transaction-local,
    /// what <c>coach_current_user_id()</c> and the row level security policies read). A procedure, because its
    /// call yields no result set: the service sends it in front of a unit's first command, in the same round trip
    /// (<c>UserScopeInterceptor</c>), where a <c>SELECT set_config(...)</c> would be a result the command's reader
    /// does not expect. It runs with its caller's rights and sets nothing the caller could not set itself.
    /// </summary>
    public partial class UserScopeProcedure : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE PROCEDURE coach_enter_user(user_id uuid)
                    LANGUAGE sql
                    AS $$ SELECT set_config('app.user_id', user_id::text, true) $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP PROCEDURE IF EXISTS coach_enter_user(uuid);");
        }
    }
}
