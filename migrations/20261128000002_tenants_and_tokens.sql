-- Who may use Suivi. Not events: these are access-control records, not facts of a contract.

-- A tenant is a buyer organisation, e.g. an intercommunality that also runs the purchasing
-- of its member communes: each buyer SIRET it covers is listed in tenant_buyers.
create table tenants (
    id          text primary key check (id ~ '^[a-z0-9_-]{1,32}$'),
    name        text not null,
    created_at  timestamptz not null default now()
);

create table tenant_buyers (
    tenant  text not null references tenants (id),
    siret   text not null check (siret ~ '^[0-9]{14}$'),
    primary key (tenant, siret)
);

-- The per-tenant secret of beneficiary pseudonyms (HMAC-SHA256). Destroying a key (deleting
-- its row, and its backups) makes every pseudonym made with it unlinkable to a person: this is
-- the tenant's crypto-shredding switch. Only one key is active per tenant.
create table tenant_keys (
    tenant      text not null references tenants (id),
    version     integer not null check (version > 0),
    secret      bytea not null check (length(secret) = 32),
    created_at  timestamptz not null default now(),
    retired_at  timestamptz,
    primary key (tenant, version)
);
create unique index tenant_keys_one_active on tenant_keys (tenant) where retired_at is null;

-- Bearer tokens, stored only as SHA-256 hashes (tokens are 256-bit random values, so a fast
-- hash is enough). A contractor token is bound to one SIRET.
create table api_tokens (
    id          uuid primary key,
    token_hash  bytea not null unique check (length(token_hash) = 32),
    role        text not null check (role in ('buyer', 'contractor', 'facilitator', 'finance', 'admin')),
    tenant      text not null references tenants (id),
    siret       text check (siret ~ '^[0-9]{14}$'),
    label       text not null default '',
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz,
    check ((role = 'contractor') = (siret is not null))
);

-- Contracts are found by tenant and by contractor through their award event.
create index events_awards_by_tenant on events (tenant, stream_id) where event_type = 'contract_awarded';
