-- The event store: the source of truth. Column names and types follow what postgres-es reads
-- and writes (it reads `sequence` as int8 and treats any unique violation as an optimistic-lock
-- conflict, so the primary key is the only unique constraint here).
create table events (
    aggregate_type  text        not null,
    aggregate_id    text        not null,
    sequence        bigint      not null check (sequence > 0),
    event_type      text        not null,
    event_version   text        not null,
    payload         jsonb       not null,
    metadata        jsonb       not null,
    -- assigned at insert, not at commit: never tail by this alone (see the relay)
    global_position bigint      not null generated always as identity,
    -- the inserting transaction; the relay only reads transactions older than the snapshot xmin
    transaction_id  xid8        not null default pg_current_xact_id(),
    recorded_at     timestamptz not null default now(),
    -- every event belongs to one business; taken from the metadata so no writer can forget it
    tenant_id       uuid        not null generated always as ((metadata ->> 'tenant_id')::uuid) stored,
    primary key (aggregate_type, aggregate_id, sequence)
);

-- the relay's read: commit order
create index events_commit_order on events (transaction_id, global_position);
-- min_position look-ups and audit by position. Unique because identity values are; a violation
-- cannot happen, so postgres-es's "any unique violation is a conflict" rule is not disturbed.
create unique index events_global_position on events (global_position);
create index events_tenant on events (tenant_id, global_position);
-- "has this read model caught up with position P?": unapplied events of its types in commit order
create index events_type_commit_order on events (aggregate_type, transaction_id, global_position);

-- Aggregate snapshots as postgres-es expects them.
create table snapshots (
    aggregate_type   text  not null,
    aggregate_id     text  not null,
    last_sequence    bigint not null,
    current_snapshot bigint not null,
    payload          jsonb not null,
    primary key (aggregate_type, aggregate_id)
);

-- The event store is append-only: the database itself refuses to change history.
create function events_refuse_change() returns trigger
language plpgsql as $$
begin
    raise exception 'the event store is append-only: % on events is refused', tg_op
        using errcode = 'insufficient_privilege';
end;
$$;

create trigger events_append_only
    before update or delete on events
    for each row execute function events_refuse_change();

create trigger events_no_truncate
    before truncate on events
    for each statement execute function events_refuse_change();

-- The relay LISTENs on `barber_events`. Writers notify after they commit, outside their
-- transaction (see command::store): a NOTIFY inside the writing transaction takes a database-wide
-- lock across its commit, which serialises every commit and halves the insert rate at 8 clients.

-- The relay's checkpoint per JetStream stream: the (transaction id, position) of the last event
-- that stream acknowledged.
create table relay_checkpoints (
    stream_name     text        primary key,
    transaction_id  xid8        not null default '0',
    global_position bigint      not null default 0,
    updated_at      timestamptz not null default now()
);
