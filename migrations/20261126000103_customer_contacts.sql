-- Who holds which phone and email in a business's book, as the command side decides on it: a
-- customer registered or changed with the phone or email of another customer of the business is
-- refused `possible_duplicate` unless the request allows it. Written in the transaction that
-- records the customer's events, so it is never behind the event store as a read model is; a
-- value being taken is locked first (an advisory lock per business, kind and value), so of two
-- racing registrations the second sees the first. A merge or an erasure releases a customer's
-- rows (`delete ... where tenant_id = $1 and customer_id = $2`) in its own transaction.
create table customer_contacts (
    tenant_id   uuid        not null,
    customer_id uuid        not null,
    kind        text        not null check (kind in ('phone', 'email')),
    -- the phone in E.164; the email lower-cased (emails compare case-insensitively)
    value       text        not null,
    -- when the customer took this value: a duplicate is told about the first holder
    claimed_at  timestamptz not null default now(),
    primary key (tenant_id, customer_id, kind)
);

-- who holds a value
create index customer_contacts_by_value on customer_contacts (tenant_id, kind, value);

-- Customers registered before: their phone and email as last recorded.
insert into customer_contacts (tenant_id, customer_id, kind, value, claimed_at)
select latest.tenant_id, latest.customer_id, c.kind, c.value, latest.recorded_at
  from (select distinct on (aggregate_id)
               tenant_id,
               aggregate_id::uuid as customer_id,
               coalesce(payload -> 'CustomerRegistered' -> 'pii',
                        payload -> 'CustomerProfileUpdated' -> 'pii') as pii,
               recorded_at
          from events
         where aggregate_type = 'customer'
           and event_type in ('CustomerRegistered', 'CustomerProfileUpdated')
         order by aggregate_id, sequence desc) as latest
 cross join lateral (values ('phone', latest.pii ->> 'phone'),
                            ('email', lower(latest.pii ->> 'email'))) as c(kind, value)
 where c.value is not null;
