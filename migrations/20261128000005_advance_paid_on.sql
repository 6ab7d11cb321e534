-- The date the advance was paid, in both read-model schemas, so that yearly indicators count an
-- advance in the year finance paid it (docs/indicators.md). The projector fills it from now on.
--
-- Rows projected before this migration get it here, once, from their `advance_paid` event (only
-- where the row already shows the advance, so a row never shows a date without its amount).
-- Rebuilding the read models (`suivi projector rebuild`) gives the same values.

do $migration$
declare
    target text;
begin
    foreach target in array array['read_a', 'read_b'] loop
        execute format('alter table %I.contracts add column advance_paid_on date', target);
        execute format($ddl$
            update %I.contracts c
            set advance_paid_on = (e.payload ->> 'paid_on')::date
            from events e
            where e.stream_id = c.contract_id
              and e.event_type = 'advance_paid'
              and c.advance_paid_ttc is not null
        $ddl$, target);
    end loop;
end
$migration$;
