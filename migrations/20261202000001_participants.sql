-- The register of participants (issue "participants as facilitators know them").
--
-- What is where, and why (docs/privacy.md):
--   * events (`participant_registered`, `participant_erased`): the code and profile brackets,
--     never an identity — the log is immutable and travels (NATS, backups, exports);
--   * `participants`: the register as commands need it, written in the same transaction as the
--     participant's events (code uniqueness, eligibility, erasure);
--   * `participant_identities`: who the person is, encrypted with the participant's own data key;
--     the data key itself is stored wrapped by a key-encryption key (KEK) that never enters the
--     database (a file or the environment of `suivi serve`). Erasure deletes the row: without
--     the data key, no copy of the ciphertext can be read. The blind index (a keyed hash of the
--     normalised identity, to refuse the same person registered twice) goes with it;
--   * `tenant_index_keys`: each tenant's blind-index key, wrapped by the KEK too. A dump of the
--     database alone therefore reveals nobody, and cannot even test a guessed name.
--   * `participant_month_hours`: hours counted per participant and calendar month over every
--     contract of the tenant, kept with the statements that change them; the check constraint
--     is the 230 h bound of suivi_domain::plausibility, enforced where concurrent statements
--     from two firms meet.

create table participants (
    tenant          text not null references tenants (id),
    code            text not null check (code ~ '^[0-9A-HJKMNP-TV-Z]{8}$'),
    participant_id  uuid not null unique,
    category        text not null,
    prescriber      text not null,
    gender          text not null,
    qualification   text not null,
    priority_neighbourhood_resident boolean not null,
    age_band        text not null,
    eligible_from   date not null,
    eligible_until  date not null check (eligible_until >= eligible_from),
    registered_on   date not null,
    erased_on       date,
    primary key (tenant, code)
);

create table participant_identities (
    participant_id  uuid primary key references participants (participant_id),
    tenant          text not null,
    -- HMAC-SHA256 of the normalised identity under the tenant's blind-index key.
    blind_index     bytea not null check (length(blind_index) = 32),
    -- XChaCha20-Poly1305: 24-byte nonce, then the sealed identity.
    identity        bytea not null,
    -- The data key sealed by the KEK named `kek_id` (nonce, then sealed key).
    wrapped_key     bytea not null,
    kek_id          text not null,
    unique (tenant, blind_index)
);

create table tenant_index_keys (
    tenant       text primary key references tenants (id),
    wrapped_key  bytea not null,
    kek_id       text not null,
    created_at   timestamptz not null default now()
);

create table participant_month_hours (
    tenant  text not null,
    code    text not null,
    month   date not null check (extract(day from month) = 1),
    hours   numeric not null,
    constraint participant_month_hours_at_most_230 check (hours >= 0 and hours <= 230),
    primary key (tenant, code, month),
    foreign key (tenant, code) references participants (tenant, code)
);

-- Statement lines named people by HMAC(tenant key, the firm's own reference) until now. New
-- statements name registered participants, so these keys have no use left; kept, they would let
-- anyone holding a dump test guessed references against the pseudonyms of the log. Deleting them
-- makes those old pseudonyms unlinkable for good (they still count distinct people in
-- indicators). An operator must also purge backups and WAL archives holding this table
-- (docs/privacy.md).
drop table tenant_keys;

-- Read models: the register as indicators need it (profile brackets only), and which
-- participant a statement line names.
do $migration$
declare
    target text;
begin
    foreach target in array array['read_a', 'read_b'] loop
        execute format($ddl$
            create table %I.participants (
                participant_id  uuid primary key,
                tenant          text not null,
                code            text not null,
                category        text not null,
                prescriber      text not null,
                gender          text not null,
                qualification   text not null,
                priority_neighbourhood_resident boolean not null,
                age_band        text not null,
                eligible_from   date not null,
                eligible_until  date not null,
                registered_on   date not null,
                erased_on       date,
                unique (tenant, code)
            )$ddl$, target);
        execute format('alter table %I.statement_lines add column participant text', target);
        execute format('create index on %I.statement_lines (tenant, participant, month)', target);
    end loop;
end
$migration$;
