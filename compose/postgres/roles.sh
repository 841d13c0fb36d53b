#!/usr/bin/env bash
# Runs once, when PostgreSQL's data volume is first initialised (the postgres image runs /docker-entrypoint-initdb.d/),
# as the image's account: logbus_migrator, which owns the logbus database. Creates the services' roles with the
# passwords compose passes from compose/.env; the DatabaseRoles migration grants them what they need.
# A password changed in .env later does not reach an existing volume: ALTER ROLE … PASSWORD in psql does.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v writer_password="$LOGBUS_WRITER_PASSWORD" -v reader_password="$LOGBUS_READER_PASSWORD" <<'SQL'
CREATE ROLE logbus_writer LOGIN PASSWORD :'writer_password';
CREATE ROLE logbus_reader LOGIN PASSWORD :'reader_password';
-- The migrator hands log_events and its partitions to logbus_writer (the Worker maintains the partitions).
GRANT logbus_writer TO logbus_migrator;
SQL
