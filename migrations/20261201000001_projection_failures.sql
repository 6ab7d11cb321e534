-- Events the projector could not project, in both read-model schemas.
--
-- One bad event must not stop every tenant's read models: an event whose payload does not
-- decode, that does not fit its contract's state, or whose rows the database refuses (a NUL in a
-- text) is recorded here with the reason, and the projector goes on. Its contract is then
-- quarantined: its later events are recorded here too (cause 'quarantined') and not applied,
-- since figures that skip an event would be wrong; its rows stay as they were before the
-- failing event. Every other contract keeps being projected.
--
-- Per schema, like the rows: a failure is a fact about one projection of the log. Rows, failures
-- and the checkpoint that covers them commit in one transaction, and `suivi projector rebuild`
-- empties this table with the others and finds the same failures again, so readers switched to a
-- rebuilt schema see its own. Events are never edited: a failure goes away only with a release
-- that can project the event, followed by a rebuild.

do $migration$
declare
    target text;
begin
    foreach target in array array['read_a', 'read_b'] loop
        execute format($ddl$
            create table %I.projection_failures (
                position        bigint primary key,
                event_id        uuid not null,
                stream_id       uuid not null,
                stream_version  bigint not null,
                tenant          text not null,
                event_type      text not null,
                schema_version  smallint not null,
                -- undecodable: the payload does not decode; inconsistent: the event does not fit
                -- its contract; unwritable: the database refuses its rows; quarantined: an
                -- earlier event of the same contract failed.
                cause           text not null
                                check (cause in ('undecodable', 'inconsistent', 'unwritable', 'quarantined')),
                error           text not null,
                failed_at       timestamptz not null default now()
            )$ddl$, target);
        execute format('create index on %I.projection_failures (stream_id, stream_version)', target);
    end loop;
end
$migration$;
