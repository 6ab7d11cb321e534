-- Dated reference data the projector needs. Extended without a release by
-- `suivi reference add --kind … --from … --value … --source …`; never edited in place.
create table reference_rates (
    kind           text not null check (kind in ('smic_hourly_gross', 'ecb_main_refinancing')),
    in_force_from  date not null,
    -- SMIC: euros per hour; ECB: percent per year (4.50 means 4.50 %).
    value          numeric not null check (value >= 0),
    source         text not null,
    recorded_at    timestamptz not null default now(),
    primary key (kind, in_force_from)
);

insert into reference_rates (kind, in_force_from, value, source) values
    ('smic_hourly_gross', '2023-01-01', 11.27, 'JORF: relèvement du SMIC (montant horaire brut)'),
    ('smic_hourly_gross', '2023-05-01', 11.52, 'JORF: relèvement du SMIC (montant horaire brut)'),
    ('smic_hourly_gross', '2024-01-01', 11.65, 'JORF: relèvement du SMIC (montant horaire brut)'),
    ('smic_hourly_gross', '2024-11-01', 11.88, 'JORF: relèvement du SMIC (montant horaire brut)'),
    ('smic_hourly_gross', '2026-01-01', 12.02, 'Suivi domain reference (shared/domain.md §4)'),
    ('ecb_main_refinancing', '2023-09-20', 4.50, 'ECB key interest rates: main refinancing operations, date of effect'),
    ('ecb_main_refinancing', '2024-06-12', 4.25, 'ECB key interest rates: main refinancing operations, date of effect'),
    ('ecb_main_refinancing', '2024-09-18', 3.65, 'ECB key interest rates: main refinancing operations, date of effect'),
    ('ecb_main_refinancing', '2024-10-23', 3.40, 'ECB key interest rates: main refinancing operations, date of effect'),
    ('ecb_main_refinancing', '2024-12-18', 3.15, 'ECB key interest rates: main refinancing operations, date of effect'),
    ('ecb_main_refinancing', '2025-02-05', 2.90, 'ECB key interest rates: main refinancing operations, date of effect'),
    ('ecb_main_refinancing', '2025-03-12', 2.65, 'ECB key interest rates: main refinancing operations, date of effect'),
    ('ecb_main_refinancing', '2025-04-23', 2.40, 'ECB key interest rates: main refinancing operations, date of effect'),
    ('ecb_main_refinancing', '2025-06-11', 2.15, 'ECB key interest rates: main refinancing operations, date of effect');
