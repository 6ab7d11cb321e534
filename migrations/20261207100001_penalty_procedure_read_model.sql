-- The contradictory procedure before a penalty decision: when the contractor was notified, the
-- last day of its observation period, and when its observations were received. Read by the
-- penalty review pages and the contractor's portal.
--
-- No event of these types existed before this migration, so every existing row is right with
-- the columns empty: nothing to replay.
do $migration$
declare
    target text;
begin
    foreach target in array array['read_a', 'read_b'] loop
        execute format('alter table %I.penalties add column if not exists notified_on date,
                                                add column if not exists notified_amount_ht numeric(30, 2),
                                                add column if not exists observations_until date,
                                                add column if not exists observations_received_on date', target);
    end loop;
end
$migration$;
