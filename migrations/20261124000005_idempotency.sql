-- Idempotency keys of command requests: a retried request (same key, same request) is answered
-- with the first answer instead of running again.
create table idempotency_keys (
    -- the business of the caller, or 'public' for unauthenticated commands (signup)
    scope        text        not null,
    key          text        not null,
    -- sha-256 of method, path and body: the same key with another request is refused
    request_hash bytea       not null,
    -- null while the first request is still running
    status       smallint,
    content_type text,
    body         bytea,
    created_at   timestamptz not null default now(),
    primary key (scope, key)
);

create index idempotency_keys_created on idempotency_keys (created_at);
