-- Refresh tokens: each login opens a family; each use of a token marks it used and issues the
-- next of its family (rotation). A used token presented again means it was copied: the whole
-- family is revoked. Logout revokes the family. Only each token's SHA-256 is kept.
create table refresh_tokens (
    token_hash  bytea       primary key,
    family      uuid        not null,
    user_id     uuid        not null,
    business_id uuid        not null,
    issued_at   timestamptz not null default now(),
    expires_at  timestamptz not null,
    used_at     timestamptz,
    revoked_at  timestamptz
);
create index refresh_tokens_by_family on refresh_tokens (family);
