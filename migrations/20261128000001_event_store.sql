-- The event log: the source of truth, and the outbox the relay publishes from.
--
-- Canonical order is (transaction_id, position). `position` comes from a sequence handed out
-- before commit, so a reader that followed max(position) alone would skip the events of a
-- transaction that commits late. Readers therefore only read events whose transaction_id is
-- below the oldest transaction still running (pg_snapshot_xmin(pg_current_snapshot())): every
-- transaction below it has finished, so nothing can appear behind the reader's cursor.
create table events (
    position        bigint generated always as identity,
    transaction_id  xid8 not null default pg_current_xact_id(),
    event_id        uuid not null,
    tenant          text not null,
    stream_id       uuid not null,
    stream_version  bigint not null check (stream_version > 0),
    event_type      text not null,
    schema_version  smallint not null check (schema_version > 0),
    occurred_at     timestamptz not null,
    recorded_at     timestamptz not null default now(),
    actor_kind      text not null,
    actor_id        text not null,
    correlation_id  uuid not null,
    causation_id    uuid,
    -- json, not jsonb: kept byte for byte as written (key order, decimal strings), cheaper to
    -- write and to relay; nothing queries inside payloads in SQL, read models are projected.
    payload         json not null,
    -- Readers follow the log in this order; it is also the only way events are looked up
    -- across streams, so it is the primary key (one index fewer on the hot append path).
    constraint events_pkey primary key (transaction_id, position),
    -- Optimistic concurrency: two appends decided on the same version cannot both commit.
    constraint events_stream_version_key unique (stream_id, stream_version)
);

-- event_id is a UUID v7 made by the command service for each new event; it is not indexed
-- (nothing looks events up by id, and JetStream deduplicates on it downstream).

-- Events are immutable: corrections are new events, never edits.
create function events_are_immutable() returns trigger language plpgsql as $$
begin
    raise exception 'events are immutable: % on events is refused', tg_op
        using errcode = 'restrict_violation';
end
$$;

create trigger events_no_update_or_delete
    before update or delete on events
    for each row execute function events_are_immutable();

create trigger events_no_truncate
    before truncate on events
    for each statement execute function events_are_immutable();

-- A command retried with the same idempotency key appends nothing and gets the first result,
-- which is rebuilt from the events it appended (stream and version range).
create table idempotency_keys (
    tenant           text not null,
    idempotency_key  text not null,
    stream_id        uuid not null,
    first_version    bigint not null,
    last_version     bigint not null,
    created_at       timestamptz not null default now(),
    primary key (tenant, idempotency_key)
);
