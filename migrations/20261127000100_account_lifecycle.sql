-- Logins have a life now (the Account aggregate, aggregate type `account`): an invited user has
-- no password until they accept their invitation, and a disabled one cannot log in, refresh a
-- session or send a command. These columns mirror the account's events and are written in the
-- same transaction as them.
alter table users alter column password_hash drop not null;
-- set while the login is disabled
alter table users add column disabled_at timestamptz;

-- One-time links: an invitation to set a first password, or a reset to set a new one. Only each
-- token's SHA-256 is kept; a token is good once, before it expires, and a newer one of the same
-- purpose for the same user replaces it.
create table account_tokens (
    token_hash  bytea       primary key,
    user_id     uuid        not null,
    business_id uuid        not null,
    -- `invitation` or `password_reset`
    purpose     text        not null check (purpose in ('invitation', 'password_reset')),
    issued_at   timestamptz not null default now(),
    expires_at  timestamptz not null,
    -- set when the link is used or replaced
    used_at     timestamptz
);
create index account_tokens_by_user on account_tokens (user_id, purpose);

-- Every login opened before accounts were recorded gets the event it would have had: the
-- owner's `AccountOpened`, by the owner, at signup.
insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload,
                    metadata)
select 'account', u.user_id::text, 1, 'AccountOpened', '1',
       jsonb_build_object('AccountOpened', jsonb_build_object(
           'user_id', u.user_id, 'business_id', u.business_id, 'email', u.email,
           'name', u.name, 'role', u.role, 'staff_id', u.staff_id)),
       jsonb_build_object(
           'tenant_id', u.business_id::text, 'actor', u.user_id::text,
           'correlation_id', 'account-history', 'causation_id', u.command_id::text,
           'command_id', u.command_id::text)
  from (select users.*, gen_random_uuid() as command_id
          from users
         where not exists (select 1 from events e
                            where e.aggregate_type = 'account'
                              and e.aggregate_id = users.user_id::text)) u
 order by u.created_at;

-- disabling a user or changing their password revokes every session of theirs
create index refresh_tokens_by_user on refresh_tokens (user_id) where revoked_at is null;
