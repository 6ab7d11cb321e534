-- People who sign in to the web interface, and their sessions. Access-control records like
-- api_tokens, not events. Programs keep using API tokens.

-- One account per e-mail address across tenants: the sign-in form asks for an address and a
-- password only, so the address alone must say which account (and so which tenant) it is.
create table users (
    id             uuid primary key,
    tenant         text not null references tenants (id),
    email          text not null check (email = lower(email) and email ~ '^[^@\s]+@[^@\s]+$'),
    role           text not null check (role in ('buyer', 'contractor', 'facilitator', 'finance', 'admin')),
    siret          text check (siret ~ '^[0-9]{14}$'),
    -- Argon2id, as a PHC string (algorithm, parameters and salt included).
    password_hash  text not null check (password_hash like '$argon2id$%'),
    created_at     timestamptz not null default now(),
    disabled_at    timestamptz,
    check ((role = 'contractor') = (siret is not null))
);
create unique index users_email on users (email);

-- Server-side sessions. The cookie holds 256 random bits; only their SHA-256 is stored, so a
-- copy of this table opens no session. Role, tenant and SIRET are copied at sign-in: a session
-- acts as what its user was when it began (disabling the user ends its sessions, see below).
create table sessions (
    id_hash     bytea primary key check (length(id_hash) = 32),
    user_id     uuid not null references users (id) on delete cascade,
    tenant      text not null references tenants (id),
    role        text not null check (role in ('buyer', 'contractor', 'facilitator', 'finance', 'admin')),
    siret       text check (siret ~ '^[0-9]{14}$'),
    -- The synchronizer token every form of the session carries (checked on every POST).
    csrf_token  text not null,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null
);
create index sessions_by_user on sessions (user_id);
create index sessions_by_expiry on sessions (expires_at);
