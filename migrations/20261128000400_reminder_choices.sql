-- What customers and staff chose to be told: reminders, and a daily agenda.

-- Whether a customer wants reminders of their appointments (`RemindersDeclined`,
-- `RemindersWanted`); everyone does until they say otherwise.
alter table customers add column reminders boolean not null default true;

-- Whether a staff member wants an email each evening with the next day's appointments
-- (`DailyAgendaChosen`).
alter table staff_members add column daily_agenda boolean not null default false;

-- The daily agendas sent (or to send): one per staff member and day, claimed like any message.
create table agenda_deliveries (
    tenant_id       uuid        not null,
    staff_id        uuid        not null,
    -- the business's local date the agenda is of
    day             date        not null,
    -- pending | sending | sent | retrying | failed | skipped
    state           text        not null,
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null,
    claimed_until   timestamptz,
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz not null,
    primary key (staff_id, day)
);
create index agenda_deliveries_due on agenda_deliveries (next_attempt_at)
    where state in ('pending', 'retrying', 'sending');
create index staff_members_with_agenda on staff_members (tenant_id) where daily_agenda;
