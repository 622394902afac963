-- The reservations read model: every live reservation of every barber's day, as the Schedule
-- aggregate holds them (the owner of "no double booking"). Availability and the calendar read
-- it, so they see exactly the stretches a booking would collide with.
create table reservations (
    tenant_id      uuid        not null,
    reservation_id uuid        not null,
    staff_id       uuid        not null,
    -- the business's local date whose schedule holds it
    schedule_date  date        not null,
    -- 'appointment' or 'time_off'
    kind           text        not null check (kind in ('appointment', 'time_off')),
    starts_at      timestamptz not null,
    -- when the service (or the time off) ends
    ends_at        timestamptz not null,
    -- ends_at plus the buffer: the chair is not free again before this
    blocked_until  timestamptz not null check (starts_at < blocked_until and ends_at <= blocked_until),
    -- the appointment or time off holding the stretch (a reservation id changes with every
    -- move, this does not); null on reservations recorded before it was kept
    holder         uuid,
    -- when it was released (cancelled, moved, given back); kept so that a redelivered
    -- reservation cannot bring it back. Live reservations have none.
    released_at    timestamptz,
    primary key (tenant_id, reservation_id)
);

create index reservations_live_by_barber_day on reservations (tenant_id, schedule_date, staff_id)
    where released_at is null;
