-- One number format in the read models, as in the API (`suivi_proto::shown`): amounts with two
-- decimals, shares (fractions of 1) with four, hours without trailing zeros.
--
-- The projector binds amounts rounded to the cent, but the driver sends a zero as `0` whatever
-- its scale, so a column could hold `0` beside `0.00`. Money columns now carry their scale
-- (`numeric(30, 2)`: 28 digits before the point, more than any amount Suivi accepts), so every
-- amount stored reads with two decimals. The ECB rate of an instalment is now a fraction of 1
-- with four decimals (`0.0315`), like the contract view's, instead of a percent. Hours are
-- written by the projector without trailing zeros.
--
-- Every row is written again: both schemas are emptied and their checkpoints reset, so the
-- projector replays the log into them at its next start.
do $migration$
declare
    target text;
    money_columns text[];
    money_column text;
    tables text[] := array['contracts', 'instalments', 'penalties'];
    one_table text;
begin
    foreach target in array array['read_a', 'read_b'] loop
        execute format('truncate %1$I.contracts, %1$I.instalments, %1$I.statement_lines, %1$I.penalties,
                                 %1$I.projection_failures, %1$I.participants', target);
        foreach one_table in array tables loop
            money_columns := case one_table
                when 'contracts' then array['initial_amount_ht', 'amount_ht', 'executed_value_ht', 'final_amount_ht',
                                            'paid_ttc', 'advance_paid_ttc', 'advance_outstanding_ttc']
                when 'instalments' then array['cumulative_value_ht', 'gross_ttc', 'advance_recovery_ttc',
                                              'advance_outstanding_ttc', 'other_deductions_ttc', 'net_to_pay_ttc',
                                              'amount_paid_ttc', 'interest_ttc', 'flat_fee']
                else array['proposed_amount_ht', 'decided_amount_ht']
            end;
            foreach money_column in array money_columns loop
                execute format('alter table %I.%I alter column %I type numeric(30, 2)', target, one_table, money_column);
            end loop;
        end loop;
        execute format('alter table %I.instalments alter column ecb_rate type numeric(6, 4)', target);
        execute format($sql$update %I.checkpoint
                            set transaction_id = '0', position = 0, events = 0, last_recorded_at = null,
                                updated_at = now()$sql$, target);
    end loop;
end
$migration$;
