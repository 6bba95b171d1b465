-- One service's login role and the one database it owns, run by psql as the superuser, with the role's
-- password in the environment variable SERVICE_PASSWORD:
--   psql -v role=invoice_app -v database=invoicesdb -f roles.sql
-- Idempotent: on a fresh server it creates both; on an existing volume it puts them back to this state.
-- The password comes from the environment (psql's \getenv), never from the command line. apply-roles.sh
-- runs it for each service beside the server; the Persistence tests run it on a real PostgreSQL.
\set ON_ERROR_STOP on
\getenv password SERVICE_PASSWORD

-- The role: created once; its attributes and password are set on every run, so the Secret stays the truth
-- (a redeploy never leaves the volume with another password) and a privilege granted by hand is taken back.
SELECT format('CREATE ROLE %I LOGIN', :'role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT
  PASSWORD :'password';
-- Member of no other role: no privileges inherited from elsewhere (pg_read_all_data, another service's role).
SELECT format('REVOKE %I FROM %I', granted.rolname, :'role')
FROM pg_auth_members membership
JOIN pg_roles granted ON granted.oid = membership.roleid
JOIN pg_roles member ON member.oid = membership.member
WHERE member.rolname = :'role' \gexec

-- The database: created once, owned by the role. A database an earlier deployment created as the superuser
-- is handed over, so the same volume keeps its data.
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
ALTER DATABASE :"database" OWNER TO :"role";
-- Only the owner (and the superuser) may connect or create temporary tables: PUBLIC, and so every other
-- service's role, cannot even open a session in it; a grant made by hand to another role goes too.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SELECT format('REVOKE ALL ON DATABASE %I FROM %I', d.datname, pg_get_userbyid(acl.grantee))
FROM pg_database d, aclexplode(d.datacl) acl
WHERE d.datname = :'database' AND acl.grantee NOT IN (0, d.datdba) \gexec

-- Inside the database: tables, sequences and views another role created (the superuser, before this
-- file existed) become the service's, so its migrations and writes keep working.
\connect :"database"
SELECT format('ALTER TABLE %I.%I OWNER TO %I', n.nspname, c.relname, :'role')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'S')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
  AND pg_get_userbyid(c.relowner) <> :'role' \gexec
