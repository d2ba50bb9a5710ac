-- trial-ledger: least privilege for the application's PostgreSQL role (SPEC §4, 21 CFR Part 11 §11.10(e)).
--
-- The append-only triggers stop UPDATE, DELETE and TRUNCATE, but a table's owner can drop triggers.
-- So the application must not connect as the owner: it connects as a role that may only read and
-- append. Even if someone later drops the triggers, that role still cannot change or remove history.
--
-- Run once, as the owner of the ledger tables (the role that ran the migrations), after the first
-- `trial-ledger` start has created the schema; the role must already exist:
--
--   psql "postgres://ledger_owner@db/ledger" -c "CREATE ROLE trial_ledger_app LOGIN PASSWORD 'change-me'"
--   psql "postgres://ledger_owner@db/ledger" -v app_role=trial_ledger_app -f grant-append-only-role.sql
--
-- then run the application with LEDGER_STORE=postgres://trial_ledger_app:…@db/ledger.
-- (Tables in another schema than `public`: also GRANT USAGE ON SCHEMA to the role.)

REVOKE ALL ON events, idempotency_keys, merkle_nodes, schema_migrations FROM PUBLIC;
REVOKE ALL ON events, idempotency_keys, merkle_nodes, schema_migrations FROM :"app_role";

GRANT SELECT, INSERT ON events, idempotency_keys, merkle_nodes TO :"app_role";
-- Read-only: the application checks the schema version at start-up but never migrates as this role.
GRANT SELECT ON schema_migrations TO :"app_role";
-- The one-round-trip append (schema 4). It runs with the caller's rights (SECURITY INVOKER), so the
-- grants above still bound what it can do; EXECUTE is granted explicitly for databases that revoke it
-- from PUBLIC by default.
GRANT EXECUTE ON FUNCTION ledger_append(bigint, text, text[], integer[], text, integer, bigint[], text[], text[], integer[], text[], integer[], text[], text[], text[], text[], text[], smallint[], bigint[], bytea[], text) TO :"app_role";

-- Server state shared by the API instances (sessions as token hashes, rate-limit counters): not ledger
-- data, so ordinary rows the application updates and deletes. The first `trial-ledger serve` start
-- creates these tables; granted here when they exist (run this script again after that start otherwise).
SET trial_ledger.app_role TO :"app_role";
DO $$
BEGIN
  IF to_regclass('auth_sessions') IS NOT NULL AND to_regclass('rate_limits') IS NOT NULL THEN
    REVOKE ALL ON auth_sessions, rate_limits FROM PUBLIC;
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON auth_sessions, rate_limits TO %I', current_setting('trial_ledger.app_role'));
  ELSE
    RAISE NOTICE 'auth_sessions and rate_limits do not exist yet: start trial-ledger serve once as the owner, then run this script again';
  END IF;
END $$;
RESET trial_ledger.app_role;
