-- The contract list and the review queue are served from the read models (no longer folded
-- from every event of the tenant on each request): statement lines keep their period, and the
-- lists get the indexes their pages use.
--
-- The new columns are filled from the log: both schemas are emptied and their checkpoints reset,
-- so the projector replays the log into them at its next start (the lag shows in /readyz and
-- in the lists' lag headers meanwhile).
do $migration$
declare
    target text;
begin
    foreach target in array array['read_a', 'read_b'] loop
        execute format('alter table %I.statement_lines add column period_start date, add column period_end date',
                       target);
        execute format('create index on %I.statement_lines (contract_id, instalment) where review = ''pending''',
                       target);
        execute format('create index on %I.instalments (tenant, received_on, contract_id, number)', target);
        execute format('create index on %I.contracts (tenant, contract_id)', target);
        execute format('truncate %1$I.contracts, %1$I.instalments, %1$I.statement_lines, %1$I.penalties,
                                 %1$I.projection_failures', target);
        execute format($sql$update %I.checkpoint
                            set transaction_id = '0', position = 0, events = 0, last_recorded_at = null,
                                updated_at = now()$sql$, target);
    end loop;
end
$migration$;
