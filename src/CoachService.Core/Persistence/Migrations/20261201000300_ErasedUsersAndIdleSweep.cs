using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ErasedUsersAndIdleSweep : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "erased_users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    erased_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_erased_users", x => x.id);
                });

            migrationBuilder.Sql(ErasedUsersSecurity);
            migrationBuilder.Sql(IdleSessionSweep);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The coach_sweeper role is cluster-wide (other databases may use it), so it stays.
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS coach_interrupt_idle_sessions(timestamptz, uuid[]);
                DROP POLICY IF EXISTS sessions_sweeper_read ON sessions;
                DROP POLICY IF EXISTS sessions_sweeper_interrupt ON sessions;
                DROP POLICY IF EXISTS messages_sweeper_read ON messages;
                REVOKE ALL ON sessions, messages FROM coach_sweeper;
                REVOKE ALL ON SCHEMA public FROM coach_sweeper;
                """);
            migrationBuilder.DropTable(
                name: "erased_users");
        }

        // An erased user's id and time, readable and writable only in that user's own unit of work.
        // UPDATE of erased_at only: a second erasure (after signing up again) moves the time on.
        private const string ErasedUsersSecurity = """
            ALTER TABLE erased_users ENABLE ROW LEVEL SECURITY;
            ALTER TABLE erased_users FORCE ROW LEVEL SECURITY;
            CREATE POLICY erased_users_owner ON erased_users
                USING (id = coach_current_user_id())
                WITH CHECK (id = coach_current_user_id());
            GRANT SELECT, INSERT, UPDATE (erased_at) ON erased_users TO coach_app;
            """;

        // The idle-session sweep crosses users, which coach_app cannot. A SECURITY DEFINER function
        // owned by coach_sweeper, a NOLOGIN role nobody but the owner login is a member of, does the
        // one thing: open sessions (started, in_progress) idle since a time become interrupted. Its
        // policies and column grants let it see only sessions' id, status and start and messages'
        // session and time, and change only an open status to interrupted. The owner login cannot
        // do this itself: FORCE ROW LEVEL SECURITY binds table owners too. Status names as in
        // Sessions/SessionStatusRules.
        private const string IdleSessionSweep = """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coach_sweeper') THEN
                    CREATE ROLE coach_sweeper NOLOGIN NOSUPERUSER NOINHERIT NOBYPASSRLS;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by a migration of another database in the same cluster
            END $$;

            -- Giving the function to coach_sweeper needs membership in it.
            DO $$
            BEGIN
                IF NOT pg_has_role(current_user, 'coach_sweeper', 'MEMBER') THEN
                    EXECUTE format('GRANT coach_sweeper TO %I', current_user);
                END IF;
            END $$;

            GRANT USAGE ON SCHEMA public TO coach_sweeper;
            GRANT SELECT (id, status, started_at), UPDATE (status) ON sessions TO coach_sweeper;
            GRANT SELECT (session_id, created_at) ON messages TO coach_sweeper;
            CREATE POLICY sessions_sweeper_read ON sessions FOR SELECT TO coach_sweeper
                USING (status IN ('started', 'in_progress', 'interrupted'));
            CREATE POLICY sessions_sweeper_interrupt ON sessions FOR UPDATE TO coach_sweeper
                USING (status IN ('started', 'in_progress'))
                WITH CHECK (status = 'interrupted');
            CREATE POLICY messages_sweeper_read ON messages FOR SELECT TO coach_sweeper USING (true);

            CREATE FUNCTION coach_interrupt_idle_sessions(idle_since timestamptz, spared uuid[]) RETURNS SETOF uuid
                LANGUAGE sql VOLATILE SECURITY DEFINER
                SET search_path = public, pg_temp
                AS $$
                    UPDATE sessions s SET status = 'interrupted'
                    WHERE s.status IN ('started', 'in_progress')
                      AND NOT (s.id = ANY (coalesce(spared, '{}')))
                      AND GREATEST(s.started_at, (SELECT max(m.created_at) FROM messages m WHERE m.session_id = s.id)) < idle_since
                    RETURNING s.id
                $$;
            ALTER FUNCTION coach_interrupt_idle_sessions(timestamptz, uuid[]) OWNER TO coach_sweeper;
            REVOKE ALL ON FUNCTION coach_interrupt_idle_sessions(timestamptz, uuid[]) FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION coach_interrupt_idle_sessions(timestamptz, uuid[]) TO coach_app;
            """;
    }
}
