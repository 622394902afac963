-- The projection runtime's bookkeeping.

-- How far each projection has applied the relay's commit order.
create table projection_checkpoints (
    projection      text        primary key,
    transaction_id  xid8        not null default '0',
    global_position bigint      not null default 0,
    -- JetStream stream sequence of the last message applied (informational: the stream can be refilled)
    stream_sequence bigint      not null default 0,
    updated_at      timestamptz not null default now()
);

-- The last event sequence each projection applied per aggregate: a redelivery (sequence <= last) is
-- a no-op and a gap (sequence > last + 1) is filled from the event store.
create table projection_aggregate_sequences (
    projection     text not null,
    aggregate_type text not null,
    aggregate_id   text not null,
    last_sequence  bigint not null,
    primary key (projection, aggregate_type, aggregate_id)
);

-- Messages that can never apply: terminated in JetStream and recorded here for a person to look at.
create table dead_letters (
    dead_letter_id  bigint      generated always as identity primary key,
    projection      text        not null,
    aggregate_type  text,
    aggregate_id    text,
    sequence        bigint,
    global_position bigint,
    stream_sequence bigint,
    error           text        not null,
    message         text        not null,
    recorded_at     timestamptz not null default now()
);

create index dead_letters_projection on dead_letters (projection, recorded_at);
