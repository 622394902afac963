-- The businesses read model, built by the `businesses` projection: one row per tenant.
create table businesses (
    tenant_id   uuid        primary key,
    name        text        not null,
    slug        text        not null,
    timezone    text        not null,
    currency    text        not null,
    -- the BookingPolicy as recorded in the last BookingPolicyChanged (or the default)
    policy      jsonb       not null,
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    -- the aggregate sequence this row reflects
    version     bigint      not null
);

create index businesses_slug on businesses (slug);
