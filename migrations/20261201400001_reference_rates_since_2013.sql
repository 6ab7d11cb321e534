-- The dated reference tables from 2013 on: `reference_rates` is their one source (the domain
-- keeps no copy), so it must hold every value a contract may need — the gross hourly SMIC in
-- force on a penalty's reference date (usually the notification date), the ECB main
-- refinancing rate in force on the first day of a half-year (late-payment interest).
--
-- 20261128000004 seeded SMIC from 2023 and ECB from 2023-09-20; this adds what came before.
-- Rows already present (the same kind and date, e.g. added by `suivi reference add`) are kept as
-- they are: values are never edited.
--
-- Values were checked against the official publications as known to the author; decree and
-- order references are given so anyone can check them on Légifrance. Uncertain points:
--   * decree numbers and dates are quoted from memory and should be checked on Légifrance
--     (the values themselves are the well-known published SMIC amounts);
--   * the existing 2026-01-01 row (12.02 €) cites "Suivi domain reference"; its legal source is
--     the decree of December 2025 raising the SMIC on 1 January 2026 (the domain's former table
--     named décret n° 2025-1228 du 17 décembre 2025 — not verified here). It cannot be edited.
--   * There was no SMIC revaluation on 1 January 2025: the 1 November 2024 value (11.88 €)
--     stayed in force, so no row is dated 2025-01-01.
--   * ECB: the rate stayed at 2.15 % after 2025-06-11 (the decisions of July, September and
--     October 2025 kept it unchanged), so no row follows it here.
--   * Nothing published after late 2025 (a SMIC revaluation or an ECB decision in 2026) was
--     known to the author: an administrator adds it with `suivi reference add`, with its source.

insert into reference_rates (kind, in_force_from, value, source) values
    -- Gross hourly SMIC, euros (metropolitan France and the overseas departments but Mayotte).
    ('smic_hourly_gross', '2013-01-01',  9.43, 'Décret n° 2012-1429 du 19 décembre 2012 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2014-01-01',  9.53, 'Décret n° 2013-1190 du 19 décembre 2013 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2015-01-01',  9.61, 'Décret n° 2014-1569 du 22 décembre 2014 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2016-01-01',  9.67, 'Décret n° 2015-1688 du 17 décembre 2015 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2017-01-01',  9.76, 'Décret n° 2016-1818 du 22 décembre 2016 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2018-01-01',  9.88, 'Décret n° 2017-1719 du 20 décembre 2017 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2019-01-01', 10.03, 'Décret n° 2018-1173 du 19 décembre 2018 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2020-01-01', 10.15, 'Décret n° 2019-1387 du 18 décembre 2019 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2021-01-01', 10.25, 'Décret n° 2020-1598 du 16 décembre 2020 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2021-10-01', 10.48, 'Arrêté du 27 septembre 2021 relatif au relèvement du salaire minimum de croissance (automatic revaluation, inflation above 2 %) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2022-01-01', 10.57, 'Décret n° 2021-1741 du 22 décembre 2021 portant relèvement du salaire minimum de croissance (JORF) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2022-05-01', 10.85, 'Arrêté du 29 avril 2022 relatif au relèvement du salaire minimum de croissance (automatic revaluation, inflation above 2 %) — https://www.legifrance.gouv.fr'),
    ('smic_hourly_gross', '2022-08-01', 11.07, 'Arrêté du 29 juillet 2022 relatif au relèvement du salaire minimum de croissance (automatic revaluation, inflation above 2 %) — https://www.legifrance.gouv.fr'),
    -- ECB main refinancing operations rate, percent, from the date the change took effect
    -- (the ECB's table of key interest rates, "with effect from"; the press release of the
    -- Governing Council's decision precedes it by a few days).
    ('ecb_main_refinancing', '2012-07-11', 0.75, 'ECB press release, Monetary policy decisions, 5 July 2012 (in force on 1 January 2013) — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2013-05-08', 0.50, 'ECB press release, Monetary policy decisions, 2 May 2013 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2013-11-13', 0.25, 'ECB press release, Monetary policy decisions, 7 November 2013 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2014-06-11', 0.15, 'ECB press release, Monetary policy decisions, 5 June 2014 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2014-09-10', 0.05, 'ECB press release, Monetary policy decisions, 4 September 2014 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2016-03-16', 0.00, 'ECB press release, Monetary policy decisions, 10 March 2016 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2022-07-27', 0.50, 'ECB press release, Monetary policy decisions, 21 July 2022 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2022-09-14', 1.25, 'ECB press release, Monetary policy decisions, 8 September 2022 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2022-11-02', 2.00, 'ECB press release, Monetary policy decisions, 27 October 2022 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2022-12-21', 2.50, 'ECB press release, Monetary policy decisions, 15 December 2022 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2023-02-08', 3.00, 'ECB press release, Monetary policy decisions, 2 February 2023 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2023-03-22', 3.50, 'ECB press release, Monetary policy decisions, 16 March 2023 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2023-05-10', 3.75, 'ECB press release, Monetary policy decisions, 4 May 2023 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2023-06-21', 4.00, 'ECB press release, Monetary policy decisions, 15 June 2023 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html'),
    ('ecb_main_refinancing', '2023-08-02', 4.25, 'ECB press release, Monetary policy decisions, 27 July 2023 — https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html')
on conflict (kind, in_force_from) do nothing;
