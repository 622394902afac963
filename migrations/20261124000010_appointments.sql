-- The appointments read model, built by the `appointments` projection: one row per appointment
-- with where it is in its workflow and what was paid. The calendar, the dashboard and a
-- customer's visit history read it. Instants are UTC.
create table appointments (
    tenant_id           uuid        not null,
    appointment_id      uuid        not null,
    customer_id         uuid        not null,
    -- the barber; another one after a reschedule to them
    staff_id            uuid        not null,
    service_id          uuid        not null,
    -- as it was when booked: a later rename in the catalog does not change past visits
    service_name        text        not null,
    starts_at           timestamptz not null,
    -- when the service itself ends
    ends_at             timestamptz not null check (starts_at < ends_at),
    -- when the barber is free again: `ends_at` plus the service's buffer
    blocked_until       timestamptz not null check (ends_at <= blocked_until),
    -- the business's local date of `starts_at`: the day whose schedule holds the slot
    schedule_date       date        not null,
    -- the price when booked, integer minor units of `currency`
    price_cents         bigint      not null,
    -- ISO 4217
    currency            text        not null,
    -- how the booking reached the shop
    source              text        not null
        check (source in ('online', 'phone', 'front_desk', 'walk_in')),
    status              text        not null
        check (status in ('booked', 'confirmed', 'checked_in', 'in_service', 'completed',
                          'cancelled', 'no_show')),
    -- a user id, or `public` for the online booking page
    booked_by           text        not null,
    -- when the booking was recorded
    booked_at           timestamptz not null,
    -- when each step was recorded; null until it happens (a walk-in is checked in when booked)
    confirmed_at        timestamptz,
    checked_in_at       timestamptz,
    started_at          timestamptz,
    completed_at        timestamptz,
    cancelled_at        timestamptz,
    -- a user id, or `customer` through a booking link
    cancelled_by        text,
    cancellation_reason text,
    -- cancelled inside the business's cancellation window (or after the start); false otherwise
    late_cancellation   boolean     not null default false,
    no_show_at          timestamptz,
    -- paid on completion for the service, minor units of `currency` (may differ from the price)
    amount_paid_cents   bigint,
    -- the barber's tip, minor units of `currency`, kept apart from the shop's takings
    tip_cents           bigint,
    payment_method      text check (payment_method in ('cash', 'card', 'other')),
    -- how many times it was moved to another time or barber
    rescheduled_count   int         not null default 0,
    updated_at          timestamptz not null,
    -- the aggregate sequence this row reflects
    version             bigint      not null,
    primary key (tenant_id, appointment_id)
);

-- the list's order (start, then id as tie-breaker) for keyset pagination, and `from`/`to`
create index appointments_by_start on appointments (tenant_id, starts_at, appointment_id);
-- one barber's column of the calendar
create index appointments_by_staff on appointments (tenant_id, staff_id, starts_at, appointment_id);
-- a customer's visits
create index appointments_by_customer
    on appointments (tenant_id, customer_id, starts_at, appointment_id);
