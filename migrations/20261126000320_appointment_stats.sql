-- The appointment statistics read model, built by the `appointment_stats` projection: what the
-- dashboard and the reports count, pre-aggregated per business per local day, so that they
-- read a few hundred small rows instead of scanning appointments.

-- What each appointment counts for now: the projection's own memory of its last contribution
-- to `appointment_day_stats`, so that a change (a new status, another day or barber, a payment)
-- takes the old contribution out before it puts the new one in. Read by nothing else.
create table appointment_stats_sources (
    tenant_id         uuid    not null,
    appointment_id    uuid    not null,
    -- the business's local date of the appointment's start (the event's `schedule_date`)
    local_date        date    not null,
    -- the barber
    staff_id          uuid    not null,
    service_id        uuid    not null,
    status            text    not null,
    -- cancelled inside the business's cancellation window (or after the start)
    late_cancellation boolean not null,
    -- the service's start and end: its length is what it books of the barber's day (the
    -- clean-up buffer after it is not counted)
    starts_at         timestamptz not null,
    ends_at           timestamptz not null,
    -- ISO 4217 of the booking's price and payment
    currency          text    not null,
    -- paid for the service on completion, minor units of `currency`; 0 until completed
    amount_paid_cents bigint  not null,
    -- the barber's tip, minor units of `currency`; 0 until completed
    tip_cents         bigint  not null,
    -- the aggregate sequence this row reflects
    version           bigint  not null,
    primary key (tenant_id, appointment_id)
);

-- Per business, local day, barber, service, status and currency: how many appointments are in
-- that state, and their minutes and takings. An appointment is counted on the day it starts, in
-- its current status only, so every figure follows reschedules and status changes.
create table appointment_day_stats (
    tenant_id          uuid   not null,
    -- the business's local date of the appointments' start
    local_date         date   not null,
    staff_id           uuid   not null,
    service_id         uuid   not null,
    status             text   not null
        check (status in ('booked', 'confirmed', 'checked_in', 'in_service', 'completed',
                          'cancelled', 'no_show')),
    currency           text   not null,
    -- never negative once applied; no check says so, since a check is tested on the row an
    -- upsert proposes (the change, which takes one out) before it meets the stored row
    appointments       int    not null,
    -- of the cancelled ones, those cancelled late (always 0 for other statuses)
    late_cancellations int    not null,
    -- the sum of the appointments' service lengths, in minutes
    booked_minutes     bigint not null,
    -- takings of completed appointments, minor units of `currency`, tips apart
    amount_paid_cents  bigint not null,
    tip_cents          bigint not null,
    -- the primary key is also every query's path: a business's days in a range
    primary key (tenant_id, local_date, staff_id, service_id, status, currency)
);

-- The dashboard's "most recently booked" list reads the appointments read model newest first.
create index appointments_by_booked_at on appointments (tenant_id, booked_at desc, appointment_id);

-- The dashboard counts the customers on record (not merged away, not erased) by this index alone.
create index customers_on_record on customers (tenant_id)
    where merged_into is null and erased_at is null;
