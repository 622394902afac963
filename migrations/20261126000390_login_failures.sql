-- Failed logins, counted per account and per client address over a window, so that guessing
-- passwords is slowed down across every command process (counted here, not in one process's
-- memory). Keys are keyed fingerprints (HMAC with the deployment's secret) of the email or the
-- address, never the email or address itself: an attacker's guesses at emails are not kept.
create table login_failures (
    scope             text        not null check (scope in ('account', 'address')),
    key               bytea       not null,
    window_started_at timestamptz not null,
    failures          integer     not null,
    primary key (scope, key)
);
