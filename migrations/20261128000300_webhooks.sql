-- Webhooks: the HTTPS endpoints a business registers for the event types it wants, and every
-- delivery to them (the delivery log). Deliveries are made by the webhook worker's durable
-- consumer of the event stream, one per (endpoint, event): the id is derived from both, so a
-- redelivered event makes none again.
create table webhook_endpoints (
    endpoint_id uuid        primary key,
    tenant_id   uuid        not null,
    url         text        not null,
    -- public names, e.g. `appointment.booked`
    event_types text[]      not null,
    -- `whsec_` and the base64 of the signing key (Standard Webhooks)
    secret      text        not null,
    created_at  timestamptz not null,
    -- removed: no new deliveries; the log stays
    removed_at  timestamptz
);
create index webhook_endpoints_by_tenant on webhook_endpoints (tenant_id) where removed_at is null;

create table webhook_deliveries (
    delivery_id     uuid        primary key,
    tenant_id       uuid        not null,
    endpoint_id     uuid        not null references webhook_endpoints,
    event_type      text        not null,
    -- the record it is about (`appointment:{id}`): deliveries of one record go in commit order
    record          text        not null,
    transaction_id  xid8        not null,
    global_position bigint      not null,
    body            jsonb       not null,
    -- pending | sending (claimed until claimed_until) | delivered | retrying | failed
    state           text        not null,
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null,
    claimed_until   timestamptz,
    last_status     int,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz not null
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at)
    where state in ('pending', 'retrying', 'sending');
create index webhook_deliveries_by_record on webhook_deliveries
    (endpoint_id, record, transaction_id, global_position)
    where state in ('pending', 'retrying', 'sending');
create index webhook_deliveries_by_endpoint on webhook_deliveries (endpoint_id, created_at desc);

-- every try of a delivery: when, what the receiver answered, how long it took
create table webhook_attempts (
    delivery_id uuid        not null references webhook_deliveries,
    tenant_id   uuid        not null,
    attempt     int         not null,
    at          timestamptz not null,
    status      int,
    error       text,
    duration_ms int         not null,
    primary key (delivery_id, attempt)
);

select barber_protect(t::regclass)
  from unnest(array['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts']) t;
