-- Online booking: the business's setting (on or off; the services and barbers offered, null
-- for all), as `OnlineBookingSet` carries it. A business starts with it on for everything.
alter table businesses
    add column online_booking jsonb not null
        default '{"enabled": true, "service_ids": null, "staff_ids": null}';

-- How the business presents itself on its public page (`BusinessProfileSet`).
alter table businesses add column address text;
alter table businesses add column logo_url text;

-- A booking's manage link, given to the customer who booked online: only its SHA-256 is kept.
-- Written before the booking it names is recorded (a failed booking leaves a link to nothing,
-- which answers 404), so a booking recorded always has its link.
create table booking_links (
    token_hash     bytea       primary key,
    appointment_id uuid        not null,
    business_id    uuid        not null,
    created_at     timestamptz not null default now()
);
create index booking_links_by_appointment on booking_links (appointment_id);
