-- The secret that signs tokens when `JWT_SECRET` is not set: drawn once from the operating
-- system's random generator by the first process to start on this database, then read by every
-- process (each replica, `barber seed`), so they all accept each other's tokens.
create table signing_secret (
    -- always 1: the table holds at most one row, and a second insert does nothing
    signing_secret_id smallint    primary key default 1 check (signing_secret_id = 1),
    -- the HS256 key: random bytes, never printed
    secret            bytea       not null check (octet_length(secret) >= 32),
    created_at        timestamptz not null default now()
);
