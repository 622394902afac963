-- Credentials and the business directory. These are written by the command service in the same
-- request that records the BusinessOpened event; login must be strongly consistent, so they are
-- not a projection.
create table business_slugs (
    slug        text        primary key,
    business_id uuid        not null unique,
    created_at  timestamptz not null default now()
);

create table users (
    user_id       uuid        primary key,
    business_id   uuid        not null,
    email         text        not null,
    name          text        not null,
    -- owner, manager, barber, front_desk
    role          text        not null,
    -- argon2id PHC string
    password_hash text        not null,
    created_at    timestamptz not null default now()
);

-- one login per email address, whatever its case
create unique index users_email_key on users (lower(email));
create index users_business on users (business_id);
