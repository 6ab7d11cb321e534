-- Buyers by their name, not only their SIRET (the yearly indicators list each buyer of a tenant).
--
-- Where a name comes from: the award event carries the buyer's SIRET and kind, no name (a name
-- on the event would be a new event version); DECP v2 carries `acheteur.id` only, but many
-- published files still write the v1 `acheteur.nom`. So the name is kept with the tenant's list
-- of buyers: written by `suivi import decp` from `acheteur.nom` when a record gives one, and by
-- an administrator with `suivi tenant name-buyer`, whose name an import never replaces.
--
-- Per tenant, not one table keyed by SIRET for all: a name an organisation or its imports gave
-- never shows in another organisation's indicators (two tenants may list the same commune).
alter table tenant_buyers
    add column name      text check (btrim(name) <> '' and char_length(name) <= 250),
    add column named_by  text check (named_by in ('decp_import', 'administrator')),
    add column named_at  timestamptz,
    add constraint tenant_buyers_named_with_origin
        check ((name is null) = (named_by is null) and (name is null) = (named_at is null));
