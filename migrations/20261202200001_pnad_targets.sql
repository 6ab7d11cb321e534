-- The national targets the yearly indicators compare with: each Plan national pour des achats
-- durables (PNAD), its period, the shares of the contracts notified in a year it aims at, and
-- where they come from. Until now the 2022-2025 targets were constants in the code, so they
-- were shown beside every year's shares, 2026 included; a plan is dated reference data.
--
-- Extended without a release by `suivi reference add-plan …`; never edited in place (like
-- `reference_rates`). A year is compared with the plan in force on its 31 December; a year no
-- plan covers has no national target, and the indicators say so (docs/indicators.md).
create table pnad_targets (
    plan                 text primary key check (btrim(plan) <> ''),
    -- First and last day of the plan, both included.
    period_start         date not null,
    period_end           date not null check (period_end >= period_start),
    -- Fractions of 1 (0.30 means 30 %); null when the plan sets no target of that kind.
    social_share         numeric check (social_share between 0 and 1),
    environmental_share  numeric check (environmental_share between 0 and 1),
    source               text not null check (btrim(source) <> ''),
    recorded_at          timestamptz not null default now(),
    check (social_share is not null or environmental_share is not null),
    -- At most one plan in force on any day: which plan a year is compared with is never a
    -- matter of choice, and a mistyped period cannot silently take over another plan's years.
    constraint pnad_targets_periods_do_not_overlap
        exclude using gist (daterange(period_start, period_end, '[]') with &&)
);

-- shared/domain.md §5: "PNAD 2022-2025 targets: 100 % of contracts notified in the year with at
-- least one environmental consideration, 30 % with at least one social consideration". The plan
-- was published on 15 March 2022 by the Commissariat général au développement durable (ministry
-- of the ecological transition); its targets are for the end of the plan ("d'ici 2025"), and
-- the years 2022 to 2025 are compared with them, as the PNAD's own yearly follow-up does. The
-- period is the calendar years the plan names.
insert into pnad_targets (plan, period_start, period_end, social_share, environmental_share, source) values
    ('PNAD 2022-2025', '2022-01-01', '2025-12-31', 0.30, 1.00,
     'Plan national pour des achats durables 2022-2025 (Commissariat général au développement durable, publié le 15 mars 2022) : d''ici 2025, 30 % des contrats notifiés dans l''année avec au moins une considération sociale et 100 % avec au moins une considération environnementale — https://www.ecologie.gouv.fr');
