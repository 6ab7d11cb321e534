-- A key reused with another request must be refused (IETF Idempotency-Key draft), not answered
-- with the first request's result: the first request's digest (SHA-256 of what the edge received
-- and where) is kept beside its key. Keys recorded before this migration have none and are
-- compared by stream only, as before.
alter table idempotency_keys add column request_digest bytea;
