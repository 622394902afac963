-- The service catalog read model, built by the `services` projection.
create table services (
    tenant_id        uuid        not null,
    service_id       uuid        not null,
    name             text        not null,
    -- groups services on the booking page; null = uncategorised (listed last)
    category         text,
    duration_minutes int         not null,
    -- integer minor units of `currency` (pence, cents; whole yen)
    price_cents      bigint      not null,
    -- ISO 4217
    currency         text        not null,
    -- clean-up time after the service, during which the barber cannot be booked
    buffer_minutes   int         not null,
    -- false once retired: kept for past appointments, hidden from the catalog by default
    active           boolean     not null,
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    -- the aggregate sequence this row reflects
    version          bigint      not null,
    primary key (tenant_id, service_id)
);

-- the list's order (category with uncategorised last, then name, then id as tie-breaker) for
-- keyset pagination
create index services_by_category on services
    (tenant_id, (category is null), lower(coalesce(category, '')), lower(name), service_id);
