-- Payloads over about 2 kB (an hour statement of a few lines) are compressed when stored; with
-- PostgreSQL's default, pglz, that compression was the largest single cost of an append in a
-- profile of `suivi bench statements`. LZ4 compresses several times faster for a similar size.
-- Rows already written keep their compression; both are read transparently.
alter table events alter column payload set compression lz4;
