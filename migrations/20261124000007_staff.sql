-- The staff read model, built by the `staff` projection: who works in a business, when, and
-- what they offer. Deactivated members are kept (`active = false`), since past appointments
-- still name them.
create table staff_members (
    tenant_id   uuid        not null,
    staff_id    uuid        not null,
    name        text        not null,
    -- what they do in the shop, not what their login may do
    role        text        not null
        check (role in ('owner', 'manager', 'barber', 'front_desk')),
    email       text,
    -- E.164
    phone       text,
    -- false once deactivated: not bookable, hidden from the list by default
    active      boolean     not null,
    -- the services they may be booked for; null = every service of the business
    service_ids uuid[],
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    -- the aggregate sequence this row (and the member's hours and time off) reflects
    version     bigint      not null,
    primary key (tenant_id, staff_id)
);

-- the list's order (name, then id as tie-breaker) for keyset pagination
create index staff_members_by_name on staff_members (tenant_id, lower(name), staff_id);

-- The weekly rota: one row per weekday a member works, replaced wholesale when it is set.
-- Times are local wall-clock times in the business's timezone, not instants: "09:00 on Mondays"
-- stays 09:00 across daylight-saving changes.
create table staff_working_hours (
    tenant_id  uuid     not null,
    staff_id   uuid     not null,
    -- ISO day of week: 1 = Monday … 7 = Sunday (Postgres's `isodow`)
    weekday    smallint not null check (weekday between 1 and 7),
    start_time time     not null,
    end_time   time     not null check (start_time < end_time),
    -- [{"start": "12:00", "end": "12:30"}, …], local times, sorted, inside the day
    breaks     jsonb    not null default '[]',
    primary key (tenant_id, staff_id, weekday),
    foreign key (tenant_id, staff_id) references staff_members on delete cascade
);

-- Time off: stretches between UTC instants when a member cannot be booked.
create table staff_time_off (
    tenant_id   uuid        not null,
    staff_id    uuid        not null,
    time_off_id uuid        not null,
    starts_at   timestamptz not null,
    ends_at     timestamptz not null check (starts_at < ends_at),
    reason      text,
    primary key (tenant_id, time_off_id),
    foreign key (tenant_id, staff_id) references staff_members on delete cascade
);

-- a member's time off in time order (the detail view; availability's "who is away then")
create index staff_time_off_by_member on staff_time_off (tenant_id, staff_id, starts_at);
