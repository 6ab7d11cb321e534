-- Read models: everything here is derived from the event log and can be rebuilt from it.
--
-- Two identical schemas, read_a and read_b. Readers use the one named in read_model_state;
-- `suivi projector rebuild` replays the whole log into the other one, then switches the
-- pointer in one transaction once it has caught up. Readers never see a half-built model.

create table read_model_state (
    singleton  boolean primary key default true check (singleton),
    active     text not null check (active in ('read_a', 'read_b')),
    switched_at timestamptz not null default now()
);
insert into read_model_state (active) values ('read_a');

do $migration$
declare
    target text;
begin
    foreach target in array array['read_a', 'read_b'] loop
        execute format('create schema %I', target);

        -- Where this schema's projection stands in the log; updated in the same transaction as
        -- the rows it covers, so an event is applied exactly once.
        execute format($ddl$
            create table %I.checkpoint (
                singleton       boolean primary key default true check (singleton),
                transaction_id  xid8 not null default '0',
                position        bigint not null default 0,
                events          bigint not null default 0,
                last_recorded_at timestamptz,
                updated_at      timestamptz not null default now()
            )$ddl$, target);
        execute format('insert into %I.checkpoint default values', target);

        execute format($ddl$
            create table %I.contracts (
                contract_id          uuid primary key,
                tenant               text not null,
                buyer_siret          text not null,
                contractor_sirets    text[] not null,
                object               text not null,
                status               text not null,
                notification_date    date not null,
                initial_amount_ht    numeric not null,
                amount_ht            numeric not null,
                executed_value_ht    numeric not null,
                final_amount_ht      numeric,
                paid_ttc             numeric not null,
                social_considerations        text[] not null,
                environmental_considerations text[] not null,
                reserved             boolean not null,
                awarded_to_sme       boolean not null,
                committed_hours      numeric,
                effective_committed_hours numeric,
                declared_hours       numeric not null,
                validated_hours      numeric not null,
                rejected_hours       numeric not null,
                pending_hours        numeric not null,
                remaining_hours      numeric,
                at_risk              boolean not null,
                advance_paid_ttc     numeric,
                advance_without_guarantee boolean,
                advance_outstanding_ttc numeric not null,
                terminated_on        date,
                settled_on           date,
                version              bigint not null
            )$ddl$, target);
        execute format('create index on %I.contracts (tenant, notification_date)', target);

        execute format($ddl$
            create table %I.instalments (
                contract_id           uuid not null,
                number                integer not null,
                tenant                text not null,
                received_on           date not null,
                cumulative_value_ht   numeric not null,
                gross_ttc             numeric,
                advance_recovery_ttc  numeric,
                advance_outstanding_ttc numeric,
                other_deductions_ttc  numeric,
                net_to_pay_ttc        numeric,
                approved_on           date,
                due_on                date not null,
                paid_on               date,
                amount_paid_ttc       numeric,
                days_to_pay           integer,
                days_late             integer,
                ecb_rate              numeric,
                interest_ttc          numeric,
                flat_fee              numeric,
                primary key (contract_id, number)
            )$ddl$, target);

        execute format($ddl$
            create table %I.statement_lines (
                contract_id   uuid not null,
                instalment    integer not null,
                line_id       integer not null,
                tenant        text not null,
                beneficiary   text not null,
                category      text not null,
                modality      text not null,
                hours         numeric not null,
                month         date not null,
                review        text not null,
                primary key (contract_id, instalment, line_id)
            )$ddl$, target);

        execute format($ddl$
            create table %I.penalties (
                contract_id        uuid primary key,
                tenant             text not null,
                proposal           jsonb not null,
                proposed_amount_ht numeric not null,
                decision           text,
                decided_amount_ht  numeric,
                reason             text,
                decided_on         date
            )$ddl$, target);
    end loop;
end
$migration$;
