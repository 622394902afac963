-- Notifications: what each customer is to be told about their appointments, and when.
--
-- `notifications` and `notification_appointments` are the read model of the `notifications`
-- projection (made and moved by appointment events, a `CustomerNotified` event marks a message
-- sent; rebuilt from the store like any read model; the business's policy of the moment is read
-- from the event store). `notification_deliveries` is the worker's own record of
-- sending (claims, attempts, errors): not a read model, so a rebuild keeps it.

-- what the projection knows of each appointment: enough to place its messages
create table notification_appointments (
    appointment_id uuid        primary key,
    tenant_id      uuid        not null,
    customer_id    uuid        not null,
    starts_at      timestamptz not null,
    status         text        not null
);

create table notifications (
    notification_id    uuid        primary key,
    tenant_id          uuid        not null,
    appointment_id     uuid        not null,
    customer_id        uuid        not null,
    -- confirmation | reminder | rescheduled | cancelled | follow_up
    kind               text        not null,
    -- email | sms
    channel            text        not null,
    -- a reminder's: how long before the start
    offset_minutes     int,
    -- the start the message is about (and, for a move, the start before it)
    starts_at          timestamptz not null,
    previous_starts_at timestamptz,
    due_at             timestamptz not null,
    -- pending: to be sent; sent: recorded on the appointment; withdrawn: no longer to be sent
    -- (the appointment moved, was cancelled or done)
    status             text        not null,
    -- the event that made or last changed it: the worker words the message from read models
    -- that have reached it
    position           bigint      not null,
    created_at         timestamptz not null,
    sent_at            timestamptz,
    provider_id        text
);
create index notifications_due on notifications (due_at) where status = 'pending';
create index notifications_by_appointment on notifications (appointment_id);
create index notifications_by_tenant on notifications (tenant_id, created_at desc, notification_id);

create table notification_deliveries (
    notification_id uuid        primary key,
    tenant_id       uuid        not null,
    -- sending (claimed by a worker until claimed_until) | sent (the provider took it; recorded
    -- on the appointment once recorded_at is set) | retrying (at next_attempt_at) | failed
    -- (gave up; a retry starts again) | skipped (nothing to send it by: no contact, no channel)
    state           text        not null,
    attempts        int         not null default 0,
    next_attempt_at timestamptz,
    claimed_until   timestamptz,
    last_error      text,
    provider_id     text,
    sent_at         timestamptz,
    recorded_at     timestamptz,
    updated_at      timestamptz not null
);
create index notification_deliveries_open on notification_deliveries (next_attempt_at)
    where state in ('retrying', 'sending') or (state = 'sent' and recorded_at is null);
create index notification_deliveries_by_tenant on notification_deliveries (tenant_id, state);

select barber_protect(t::regclass)
  from unnest(array['notifications', 'notification_deliveries']) t;
