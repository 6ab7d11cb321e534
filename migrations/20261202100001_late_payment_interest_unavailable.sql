-- Late-payment interest that cannot be computed is said so, never written as 0.
--
-- Until now a payment whose interest started in a half-year without an ECB rate in
-- `reference_rates` was projected with 0 interest and no 40 € flat fee. The flat fee is owed
-- whatever the rate table holds; only the interest needs the rate. An instalment row now keeps
-- the interest null in that case, and names the reference value it lacks: the table
-- (`ecb_main_refinancing_rate`) and the day a value must be in force on (the first day of the
-- half-year the interest started in).
--
-- Every row is computed again from the log: both schemas are emptied and their checkpoints
-- reset, so the projector replays the log into them at its next start (the lag shows in /readyz
-- and in the lists' lag headers meanwhile).
do $migration$
declare
    target text;
begin
    foreach target in array array['read_a', 'read_b'] loop
        execute format('alter table %I.instalments add column interest_missing_table text,
                                                  add column interest_missing_on date', target);
        execute format('truncate %1$I.contracts, %1$I.instalments, %1$I.statement_lines, %1$I.penalties,
                                 %1$I.projection_failures, %1$I.participants', target);
        execute format($sql$update %I.checkpoint
                            set transaction_id = '0', position = 0, events = 0, last_recorded_at = null,
                                updated_at = now()$sql$, target);
    end loop;
end
$migration$;
