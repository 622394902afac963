create extension if not exists pg_trgm;

-- The customers read model, built by the `customers` projection.
create table customers (
    tenant_id   uuid        not null,
    customer_id uuid        not null,
    name        text        not null,
    -- E.164
    phone       text,
    email       text,
    notes       text,
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    -- the aggregate sequence this row reflects
    version     bigint      not null,
    primary key (tenant_id, customer_id)
);

-- the list's order (name, then id as tie-breaker) for keyset pagination
create index customers_by_name on customers (tenant_id, lower(name), customer_id);
-- `q` searches name, phone and email by substring
create index customers_search on customers
    using gin ((lower(name) || ' ' || coalesce(phone, '') || ' ' || lower(coalesce(email, ''))) gin_trgm_ops);
