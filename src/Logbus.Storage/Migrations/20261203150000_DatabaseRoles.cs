using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Logbus.Storage.Migrations
{
    /// <summary>
    /// Least privilege: the role that migrates (logbus_migrator in a deployment) owns the schemas (public, messaging); the
    /// Api and the Worker connect as <c>logbus_writer</c>, which reads and changes rows but not the schema; Query and
    /// Grafana connect as <c>logbus_reader</c>, which only reads. The one exception is <c>log_events</c> and its
    /// partitions, owned by <c>logbus_writer</c>, because the Worker creates and drops the daily partitions (PostgreSQL
    /// lets only a table's owner attach or drop its partitions). The roles are created without LOGIN when missing; a
    /// deployment gives them LOGIN and a password (./logbus for its private cluster, compose/postgres for compose). Roles
    /// are shared by every database of a cluster, so two databases migrating at once may both try to create one: the
    /// loser moves on.
    /// </summary>
    [DbContext(typeof(LogbusDbContext))]
    [Migration("20261203150000_DatabaseRoles")]
    public partial class DatabaseRoles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DO $$
                DECLARE role_name text;
                BEGIN
                    FOREACH role_name IN ARRAY ARRAY['logbus_writer', 'logbus_reader'] LOOP
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
                            BEGIN
                                EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
                            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                                NULL;
                            END;
                        END IF;
                    END LOOP;
                    IF NOT pg_has_role(current_user, 'logbus_writer', 'MEMBER') THEN
                        RAISE EXCEPTION 'the role that migrates (%) must be a member of logbus_writer, which owns log_events', current_user
                            USING HINT = 'GRANT logbus_writer TO ' || quote_ident(current_user);
                    END IF;
                END
                $$;
                """);

            migrationBuilder.Sql("""
                GRANT USAGE ON SCHEMA public, messaging TO logbus_writer, logbus_reader;
                -- The Worker creates the daily partitions of log_events in the schema (and an owner needs CREATE there).
                GRANT CREATE ON SCHEMA public TO logbus_writer;

                DO $$
                DECLARE partition regclass;
                BEGIN
                    EXECUTE format('GRANT CONNECT ON DATABASE %I TO logbus_writer, logbus_reader', current_database());
                    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO logbus_writer', current_database());
                    ALTER TABLE log_events OWNER TO logbus_writer;
                    FOR partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'public.log_events'::regclass LOOP
                        EXECUTE format('ALTER TABLE %s OWNER TO logbus_writer', partition);
                    END LOOP;
                END
                $$;

                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, messaging TO logbus_writer;
                GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public, messaging TO logbus_writer;
                GRANT SELECT ON ALL TABLES IN SCHEMA public, messaging TO logbus_reader;
                GRANT SELECT ON ALL SEQUENCES IN SCHEMA public, messaging TO logbus_reader;
                -- The migration history is the migrator's alone; the services only read it to check the schema is current.
                REVOKE INSERT, UPDATE, DELETE ON __logbus_migrations FROM logbus_writer;

                -- Tables and sequences later migrations create (as this role) and the partitions the Worker creates.
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, messaging GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO logbus_writer;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, messaging GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO logbus_writer;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, messaging GRANT SELECT ON TABLES TO logbus_reader;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, messaging GRANT SELECT ON SEQUENCES TO logbus_reader;
                ALTER DEFAULT PRIVILEGES FOR ROLE logbus_writer IN SCHEMA public GRANT SELECT ON TABLES TO logbus_reader;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER DEFAULT PRIVILEGES FOR ROLE logbus_writer IN SCHEMA public REVOKE SELECT ON TABLES FROM logbus_reader;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, messaging REVOKE SELECT ON SEQUENCES FROM logbus_reader;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, messaging REVOKE SELECT ON TABLES FROM logbus_reader;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, messaging REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM logbus_writer;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, messaging REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM logbus_writer;
                REVOKE ALL ON ALL SEQUENCES IN SCHEMA public, messaging FROM logbus_writer, logbus_reader;
                REVOKE ALL ON ALL TABLES IN SCHEMA public, messaging FROM logbus_writer, logbus_reader;
                REVOKE ALL ON SCHEMA public, messaging FROM logbus_writer, logbus_reader;
                DO $$
                DECLARE partition regclass;
                BEGIN
                    ALTER TABLE log_events OWNER TO current_user;
                    FOR partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'public.log_events'::regclass LOOP
                        EXECUTE format('ALTER TABLE %s OWNER TO current_user', partition);
                    END LOOP;
                END
                $$;
                """);
        }
    }
}
