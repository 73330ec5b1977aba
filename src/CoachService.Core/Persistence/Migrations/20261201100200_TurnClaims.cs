using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class TurnClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "turn_buckets",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tokens = table.Column<double>(type: "double precision", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_turn_buckets", x => x.user_id);
                    table.ForeignKey(
                        name: "fk_turn_buckets_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "turn_claims",
                columns: table => new
                {
                    session_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    turn_id = table.Column<string>(type: "text", nullable: false),
                    user_sequence = table.Column<int>(type: "integer", nullable: false),
                    owner_key = table.Column<long>(type: "bigint", nullable: false),
                    listeners = table.Column<List<string>>(type: "text[]", nullable: false, defaultValueSql: "'{}'::text[]"),
                    claimed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_turn_claims", x => x.session_id);
                    table.ForeignKey(
                        name: "fk_turn_claims_session_id",
                        column: x => x.session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_turn_claims_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_turn_claims_owner_key",
                table: "turn_claims",
                column: "owner_key");

            migrationBuilder.CreateIndex(
                name: "ix_turn_claims_user_id",
                table: "turn_claims",
                column: "user_id");

            migrationBuilder.Sql(TurnTablesSecurity);
            migrationBuilder.Sql(OrphanedTurnSweep);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The idle sweep as the earlier migration made it, before the claims it now looks at go.
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS coach_close_orphaned_turns(bigint, uuid[], timestamptz);
                CREATE OR REPLACE FUNCTION coach_interrupt_idle_sessions(idle_since timestamptz, spared uuid[]) RETURNS SETOF uuid
                    LANGUAGE sql VOLATILE SECURITY DEFINER
                    SET search_path = public, pg_temp
                    AS $$
                        UPDATE sessions s SET status = 'interrupted'
                        WHERE s.status IN ('started', 'in_progress')
                          AND NOT (s.id = ANY (coalesce(spared, '{}')))
                          AND GREATEST(s.started_at, (SELECT max(m.created_at) FROM messages m WHERE m.session_id = s.id)) < idle_since
                        RETURNING s.id
                    $$;
                REVOKE ALL ON turn_claims FROM coach_sweeper;
                """);
            migrationBuilder.DropTable(
                name: "turn_buckets");

            migrationBuilder.DropTable(
                name: "turn_claims");
        }
    
        // Both tables are a user's own rows, as every user-owned table (the initial migration's policy).
        private const string TurnTablesSecurity = """
            ALTER TABLE turn_claims ENABLE ROW LEVEL SECURITY;
            ALTER TABLE turn_claims FORCE ROW LEVEL SECURITY;
            CREATE POLICY turn_claims_owner ON turn_claims
                USING (user_id = coach_current_user_id()) WITH CHECK (user_id = coach_current_user_id());
            ALTER TABLE turn_buckets ENABLE ROW LEVEL SECURITY;
            ALTER TABLE turn_buckets FORCE ROW LEVEL SECURITY;
            CREATE POLICY turn_buckets_owner ON turn_buckets
                USING (user_id = coach_current_user_id()) WITH CHECK (user_id = coach_current_user_id());
            GRANT SELECT, INSERT, UPDATE, DELETE ON turn_claims, turn_buckets TO coach_app;
            """;

        // Closing the turns of a dead instance crosses users, like the idle-session sweep, so it is a
        // SECURITY DEFINER function of coach_sweeper's that may do only this: delete the claims whose owner
        // no longer holds its advisory lock in this database (the instance died, or lost its connection),
        // and the caller's own claims on sessions it does not answer that are older than a time (a release
        // that failed). It returns what listeners must be told; no message text is involved. The idle
        // sweep now also spares every claimed session, whichever instance answers it.
        private const string OrphanedTurnSweep = """
            GRANT SELECT (session_id, turn_id, owner_key, listeners, claimed_at), DELETE ON turn_claims TO coach_sweeper;
            CREATE POLICY turn_claims_sweeper ON turn_claims TO coach_sweeper USING (true);

            CREATE FUNCTION coach_close_orphaned_turns(caller bigint, answering uuid[], stale_before timestamptz)
                RETURNS TABLE (session_id uuid, turn_id text, listeners text[])
                LANGUAGE sql VOLATILE SECURITY DEFINER
                SET search_path = public, pg_catalog, pg_temp
                AS $$
                    DELETE FROM turn_claims c
                    WHERE (c.owner_key <> caller AND NOT EXISTS (
                              SELECT FROM pg_locks l
                              WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                                AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                                AND ((l.classid::bigint << 32) | l.objid::bigint) = c.owner_key))
                       OR (c.owner_key = caller AND NOT (c.session_id = ANY (coalesce(answering, '{}'))) AND c.claimed_at < stale_before)
                    RETURNING c.session_id, c.turn_id, c.listeners
                $$;
            ALTER FUNCTION coach_close_orphaned_turns(bigint, uuid[], timestamptz) OWNER TO coach_sweeper;
            REVOKE ALL ON FUNCTION coach_close_orphaned_turns(bigint, uuid[], timestamptz) FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION coach_close_orphaned_turns(bigint, uuid[], timestamptz) TO coach_app;

            CREATE OR REPLACE FUNCTION coach_interrupt_idle_sessions(idle_since timestamptz, spared uuid[]) RETURNS SETOF uuid
                LANGUAGE sql VOLATILE SECURITY DEFINER
                SET search_path = public, pg_temp
                AS $$
                    UPDATE sessions s SET status = 'interrupted'
                    WHERE s.status IN ('started', 'in_progress')
                      AND NOT (s.id = ANY (coalesce(spared, '{}')))
                      AND NOT EXISTS (SELECT FROM turn_claims c WHERE c.session_id = s.id)
                      AND GREATEST(s.started_at, (SELECT max(m.created_at) FROM messages m WHERE m.session_id = s.id)) < idle_since
                    RETURNING s.id
                $$;
            """;
    }
}
