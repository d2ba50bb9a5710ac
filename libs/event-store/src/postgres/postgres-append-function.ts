/**
 * Schema version 4: `ledger_append`, the server side of the one-round-trip append.
 *
 * The client plans the append in TypeScript (`planAppend`: checks, positions, hashes, Merkle nodes)
 * against the head and stream versions it last saw, and sends the finished rows with what it assumed.
 * The function takes the append lock, checks those assumptions against the log under it, and inserts
 * only if every one still holds; otherwise it writes nothing and returns what it found, for the client
 * to plan again. It never decides anything itself: the checks, the chain and the tree stay written once,
 * in `libs/event-store/src/append` and the Merkle frontier, and the SQL only compares and inserts.
 *
 * Called as one statement outside an explicit transaction (an implicit transaction that commits at the
 * protocol's Sync), it is one round trip. A VOLATILE function takes a fresh snapshot for each statement
 * it runs (READ COMMITTED), so the reads after the lock see every append committed before it was
 * granted; the lock is released only after that commit's WAL flush, as with `BEGIN; SELECT
 * pg_advisory_xact_lock(…)`. `synchronous_commit` is set on for the transaction, whatever a role or
 * database default says: an append is acknowledged only once durable.
 *
 * Released migration text: never edit it; replace the function in a later migration.
 */
export const POSTGRES_APPEND_FUNCTION = String.raw`
  CREATE FUNCTION ledger_append(
    want_position bigint, want_hash text, want_streams text[], want_versions integer[],
    want_key text, want_key_events integer,
    ev_positions bigint[], ev_ids text[], ev_streams text[], ev_versions integer[], ev_types text[],
    ev_schema_versions integer[], ev_data text[], ev_metadata text[], ev_recorded_at text[],
    ev_prev_hashes text[], ev_hashes text[],
    node_levels smallint[], node_indices bigint[], node_hashes bytea[],
    notify_channel text
  ) RETURNS json LANGUAGE plpgsql VOLATILE AS $$
  DECLARE
    head_position bigint;
    head_hash text;
    head_recorded_at text;
  BEGIN
    IF ev_positions[1] IS DISTINCT FROM want_position + 1 OR ev_prev_hashes[1] IS DISTINCT FROM want_hash THEN
      RAISE EXCEPTION 'ledger_append: the rows do not extend the head they were planned on' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Under REPEATABLE READ or SERIALIZABLE the snapshot is the transaction's first, taken before the
    -- lock was granted: the head read below could miss the previous holder's append.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
      RAISE EXCEPTION 'ledger_append needs READ COMMITTED, the session runs %', current_setting('transaction_isolation')
        USING ERRCODE = 'invalid_transaction_state';
    END IF;
    PERFORM set_config('synchronous_commit', 'on', true);
    PERFORM pg_advisory_xact_lock(hashtextextended('trial-ledger.append', 0));
    SELECT e.global_position, e.hash, e.recorded_at INTO head_position, head_hash, head_recorded_at
      FROM events e ORDER BY e.global_position DESC LIMIT 1;
    IF coalesce(head_position, 0) = want_position
       AND (head_position IS NULL OR head_hash = want_hash)
       AND NOT EXISTS (
         SELECT 1 FROM unnest(want_streams, want_versions) AS w(stream, version)
          WHERE coalesce((SELECT max(e.stream_version) FROM events e WHERE e.stream_id = w.stream), 0) <> w.version)
       AND (want_key IS NULL OR (SELECT count(*) FROM events e WHERE e.idempotency_key = want_key) = want_key_events)
    THEN
      INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
                          recorded_at, prev_hash, hash, idempotency_key)
      SELECT p, id, s, v, t, sv, d::json, m::json, r, ph, h, want_key
        FROM unnest(ev_positions, ev_ids, ev_streams, ev_versions, ev_types, ev_schema_versions, ev_data, ev_metadata,
                    ev_recorded_at, ev_prev_hashes, ev_hashes) AS x(p, id, s, v, t, sv, d, m, r, ph, h);
      INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest(node_levels, node_indices, node_hashes);
      PERFORM pg_notify(notify_channel, ev_positions[array_length(ev_positions, 1)]::text);
      RETURN NULL;
    END IF;
    RETURN json_build_object(
      'position', coalesce(head_position, 0),
      'hash', head_hash,
      'recordedAt', head_recorded_at,
      'versions', (SELECT json_object_agg(s.stream_id, s.v)
                     FROM (SELECT e.stream_id, max(e.stream_version) AS v FROM events e
                            WHERE e.stream_id = ANY(want_streams) GROUP BY e.stream_id) s),
      'seen', (SELECT json_agg(k ORDER BY k.global_position)
                 FROM (SELECT e.global_position, e.event_id, e.stream_id, e.stream_version, e.type, e.schema_version,
                              e.data, e.metadata, e.recorded_at, e.prev_hash, e.hash
                         FROM events e WHERE want_key IS NOT NULL AND e.idempotency_key = want_key) k),
      -- The head's Merkle frontier, so the next plan needs no read of its own: the stored nodes (level >= 4,
      -- one per set bit of the size, index (size >> level) - 1), and the last (size mod 16) event hashes
      -- the lower ones are folded from.
      'frontier', (SELECT json_agg(json_build_object('level', n.level, 'index', n.idx, 'hash', encode(n.hash, 'hex')))
                     FROM generate_series(4, 62) AS l
                     JOIN merkle_nodes n ON n.level = l AND n.idx = (coalesce(head_position, 0) >> l) - 1
                    WHERE ((coalesce(head_position, 0) >> l) & 1) = 1),
      'tail', (SELECT json_agg(json_build_object('position', e.global_position, 'hash', e.hash))
                 FROM events e
                WHERE e.global_position > coalesce(head_position, 0) - coalesce(head_position, 0) % 16
                  AND e.global_position <= coalesce(head_position, 0)));
  END;
  $$;
`;

/**
 * The call: one prepared statement, one round trip, committed on return. `$22`, the lock wait in ms, is set
 * for the statement's own (implicit) transaction before the function runs: the subquery in FROM is scanned
 * before the select list is computed. Set in SQL, not as a startup parameter, which PgBouncer refuses.
 */
export const APPEND_CALL_SQL = `SELECT ledger_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) AS state
  FROM (SELECT set_config('lock_timeout', $22::text, true)) AS lock_wait`;

