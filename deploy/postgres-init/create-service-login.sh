#!/bin/sh
# Run once by the postgres image when its volume is new: the service's own login, which owns
# nothing; the service's migrations make it a member of coach_app. See README "Your own PostgreSQL".
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" --set=password="$COACH_SERVICE_PASSWORD" <<'SQL'
CREATE ROLE coach_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'password';
SQL
