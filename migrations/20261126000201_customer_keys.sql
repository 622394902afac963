-- Crypto-shredding (DESIGN §4): every `pii` object of an event is sealed with the data key of the
-- customer it is about; erasing the customer deletes the key, and what was sealed with it can
-- never be read again, while the events themselves stay as they were.

-- One data key per customer, created in the statement that records the customer's first event
-- and deleted, in the transaction that records `CustomerErased`, by the customer's erasure.
create table customer_keys (
    tenant_id   uuid        not null,
    customer_id uuid        not null,
    -- 32 random bytes: the AES-256-GCM key of every `pii` object about this customer
    key         bytea       not null check (length(key) = 32),
    created_at  timestamptz not null default now(),
    primary key (tenant_id, customer_id)
);

-- Every event ever changed in place, each by the one exception below: the audit trail of the
-- exception. Never the old payload (it held the clear text).
create table event_rewrites (
    global_position bigint      not null,
    -- why it was rewritten
    reason          text        not null,
    rewritten_at    timestamptz not null default now(),
    -- the rewriting transaction
    transaction_id  xid8        not null default pg_current_xact_id()
);

create index event_rewrites_by_event on event_rewrites (global_position);

-- How far, in commit order, the sealing of events stored in clear has looked (one row).
create table clear_events_sealed (
    only_row        boolean     primary key default true check (only_row),
    transaction_id  xid8        not null default '0',
    global_position bigint      not null default 0,
    updated_at      timestamptz not null default now()
);

insert into clear_events_sealed default values;

-- The event store stays append-only, with one narrow exception for the sealing of events stored
-- in clear (platform::personal_data::clear_events): a transaction that set
-- `barber.sealing_personal_data` to `on` (`set local`) may replace the `pii` object of an event's
-- fact by a sealed or erased one, and nothing else; each such update is recorded in
-- `event_rewrites`. Deletes and truncates are refused as before.
create or replace function events_refuse_change() returns trigger
language plpgsql as $$
declare
    fact text;
begin
    if tg_op = 'UPDATE' and current_setting('barber.sealing_personal_data', true) = 'on' then
        select k into fact from jsonb_object_keys(old.payload) as k;
        if (select count(*) from jsonb_object_keys(old.payload)) = 1
           and (select count(*) from jsonb_object_keys(new.payload)) = 1
           and new.payload ? fact
           and (new.aggregate_type, new.aggregate_id, new.sequence, new.event_type,
                new.event_version, new.metadata, new.global_position, new.transaction_id,
                new.recorded_at)
               is not distinct from
               (old.aggregate_type, old.aggregate_id, old.sequence, old.event_type,
                old.event_version, old.metadata, old.global_position, old.transaction_id,
                old.recorded_at)
           and (new.payload -> fact) - 'pii' = (old.payload -> fact) - 'pii'
           and (new.payload -> fact -> 'pii') ?| array['sealed', 'erased']
        then
            insert into event_rewrites (global_position, reason)
            values (old.global_position, 'personal data sealed');
            return new;
        end if;
    end if;
    raise exception 'the event store is append-only: % on events is refused', tg_op
        using errcode = 'insufficient_privilege';
end;
$$;

-- An erased customer keeps their row (appointments name the id) without personal data.
alter table customers
    -- when the customer was erased; null while they are not
    add column erased_at timestamptz;
