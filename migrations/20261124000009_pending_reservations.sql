-- Reservations on a barber's schedule that a booking step has not settled yet: a new slot whose
-- appointment (or reschedule) is not recorded yet, or an old slot still to be released. A step
-- inserts its row first and deletes it when done; a row left behind by a crash is found by the
-- reconciler, which releases the slot unless its owner still holds it.
create table pending_reservations (
    reservation_id uuid        primary key,
    -- what the reservation is for: an appointment, or a staff member's time off
    owner_kind     text        not null check (owner_kind in ('appointment', 'time_off')),
    -- the appointment id, or the time off id
    owner_id       uuid        not null,
    -- the Schedule aggregate id: "{staff_id}:{local date}"
    schedule_id    text        not null,
    tenant_id      uuid        not null,
    created_at     timestamptz not null default now()
);

create index pending_reservations_created on pending_reservations (created_at);
