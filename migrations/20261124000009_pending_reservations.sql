-- Slots reserved on a barber's schedule whose appointment is not booked yet. A booking inserts
-- its row before reserving and deletes it once the appointment is recorded (or the reservation
-- released); a row left behind by a crash is found by the reconciler, which releases the slot.
create table pending_reservations (
    reservation_id uuid        primary key,
    -- the Schedule aggregate id: "{staff_id}:{local date}"
    schedule_id    text        not null,
    tenant_id      uuid        not null,
    created_at     timestamptz not null default now()
);

create index pending_reservations_created on pending_reservations (created_at);
