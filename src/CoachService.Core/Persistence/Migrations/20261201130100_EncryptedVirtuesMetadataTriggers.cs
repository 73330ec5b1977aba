using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <summary>
    /// Three more columns about a user become encrypted text (docs/decisions/encryption-at-rest.md):
    /// <c>virtues.description</c> and <c>sessions.metadata</c> (the model's sentences about the user) and
    /// <c>mood_checkins.triggers</c> (the user's own phrases). Rows already there stay readable as they are
    /// (no <c>enc1:</c> prefix) until the service's <c>PlaintextEncryption</c> job encrypts them; the function
    /// that job starts from, <c>coach_users_with_plain_text</c>, is made here.
    /// </summary>
    public partial class EncryptedVirtuesMetadataTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "metadata",
                table: "sessions",
                type: "text",
                nullable: false,
                defaultValueSql: "'{}'",
                oldClrType: typeof(string),
                oldType: "jsonb",
                oldDefaultValueSql: "'{}'::jsonb");

            // An array's text form ({a,b}) is not JSON: the stored triggers become the JSON the column now reads.
            migrationBuilder.Sql("""
                ALTER TABLE mood_checkins ALTER COLUMN triggers DROP DEFAULT;
                ALTER TABLE mood_checkins ALTER COLUMN triggers TYPE text USING to_jsonb(triggers)::text;
                ALTER TABLE mood_checkins ALTER COLUMN triggers SET DEFAULT '[]';
                """);

            migrationBuilder.Sql(PlainTextFinder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Going back would need every user's key to decrypt the values to JSON: SQL has none.
            throw new NotSupportedException("EncryptedVirtuesMetadataTriggers cannot be reverted: the encrypted columns can only be decrypted by the service.");
        }

        // Which users still have text written before encryption at rest crosses users, which coach_app
        // cannot. As for the idle sweep, a SECURITY DEFINER function owned by a NOLOGIN role does the one
        // thing: it returns the ids of users with a value lacking the enc1: prefix in an encrypted column.
        // The role may read only those columns and user_id; it returns no text. The service then encrypts
        // each user's rows in that user's own unit of work, under row level security. A new encrypted
        // column is added here too (PlaintextEncryptionTests fill every encrypted column of the model).
        private const string PlainTextFinder = """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coach_plaintext_finder') THEN
                    CREATE ROLE coach_plaintext_finder NOLOGIN NOSUPERUSER NOINHERIT NOBYPASSRLS;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by a migration of another database in the same cluster
            END $$;

            -- Giving the function to coach_plaintext_finder needs membership in it.
            DO $$
            BEGIN
                IF NOT pg_has_role(current_user, 'coach_plaintext_finder', 'MEMBER') THEN
                    EXECUTE format('GRANT coach_plaintext_finder TO %I', current_user);
                END IF;
            END $$;

            GRANT USAGE ON SCHEMA public TO coach_plaintext_finder;
            GRANT SELECT (user_id, content, heard_content, actions) ON messages TO coach_plaintext_finder;
            GRANT SELECT (user_id, key_insights, suggested_goals, metadata) ON sessions TO coach_plaintext_finder;
            GRANT SELECT (user_id, assessment_transcript, insights) ON personality_assessments TO coach_plaintext_finder;
            GRANT SELECT (user_id, goal_text, smart_goal) ON goals TO coach_plaintext_finder;
            GRANT SELECT (user_id, context, triggers) ON mood_checkins TO coach_plaintext_finder;
            GRANT SELECT (user_id, description) ON virtues TO coach_plaintext_finder;
            CREATE POLICY messages_plaintext_finder ON messages FOR SELECT TO coach_plaintext_finder USING (true);
            CREATE POLICY sessions_plaintext_finder ON sessions FOR SELECT TO coach_plaintext_finder USING (true);
            CREATE POLICY personality_assessments_plaintext_finder ON personality_assessments FOR SELECT TO coach_plaintext_finder USING (true);
            CREATE POLICY goals_plaintext_finder ON goals FOR SELECT TO coach_plaintext_finder USING (true);
            CREATE POLICY mood_checkins_plaintext_finder ON mood_checkins FOR SELECT TO coach_plaintext_finder USING (true);
            CREATE POLICY virtues_plaintext_finder ON virtues FOR SELECT TO coach_plaintext_finder USING (true);

            CREATE FUNCTION coach_users_with_plain_text() RETURNS SETOF uuid
                LANGUAGE sql STABLE SECURITY DEFINER
                SET search_path = public, pg_temp
                AS $$
                    SELECT user_id FROM messages
                        WHERE content NOT LIKE 'enc1:%' OR heard_content NOT LIKE 'enc1:%' OR actions NOT LIKE 'enc1:%'
                    UNION SELECT user_id FROM sessions
                        WHERE key_insights NOT LIKE 'enc1:%' OR suggested_goals NOT LIKE 'enc1:%' OR metadata NOT LIKE 'enc1:%'
                    UNION SELECT user_id FROM personality_assessments
                        WHERE assessment_transcript NOT LIKE 'enc1:%' OR insights NOT LIKE 'enc1:%'
                    UNION SELECT user_id FROM goals WHERE goal_text NOT LIKE 'enc1:%' OR smart_goal NOT LIKE 'enc1:%'
                    UNION SELECT user_id FROM mood_checkins WHERE context NOT LIKE 'enc1:%' OR triggers NOT LIKE 'enc1:%'
                    UNION SELECT user_id FROM virtues WHERE description NOT LIKE 'enc1:%'
                $$;
            ALTER FUNCTION coach_users_with_plain_text() OWNER TO coach_plaintext_finder;
            REVOKE ALL ON FUNCTION coach_users_with_plain_text() FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION coach_users_with_plain_text() TO coach_app;
            """;
    }
}
