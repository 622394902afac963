-- The tenant directory of one deployment: the businesses it no longer serves itself. A row
-- appears when a business starts moving to another deployment (`barber tenant move`): the
-- workers take no new work of it (draining), then every change of its data here is refused
-- (moving), so that the copy made next is the whole of it; once copied, the row says where it
-- is served now (moved).
create table tenant_homes (
    tenant_id uuid        primary key,
    -- draining: the workers take none of its messages, agendas or webhook deliveries, and
    -- finish those they hold; moving: no change of its data is taken, while it is copied to
    -- `home`; moved: served by `home`
    state     text        not null check (state in ('draining', 'moving', 'moved')),
    -- the base URL of the deployment that serves it (or will)
    home      text        not null,
    since     timestamptz not null default now()
);

-- Refuses a change of a business that is moving or moved away, with SQLSTATE BR001 (answered
-- 503 `tenant_moving` with Retry-After). AFTER row triggers: the writing transaction holds its
-- transaction id before it looks, which is what lets a move wait for every transaction that
-- could have looked before the row appeared (`barber tenant move`). One function per name of
-- the column that says whose a row is; with no business away, each looks into an empty table.
create function refuse_changes_away_by_tenant_id() returns trigger language plpgsql as $$
declare
    row record := case when tg_op = 'DELETE' then old else new end;
begin
    if exists (select 1 from tenant_homes h where h.tenant_id = row.tenant_id and h.state <> 'draining') then
        raise exception 'business % is being moved to another deployment', row.tenant_id
            using errcode = 'BR001';
    end if;
    return null;
end $$;

create function refuse_changes_away_by_business_id() returns trigger language plpgsql as $$
declare
    row record := case when tg_op = 'DELETE' then old else new end;
begin
    if exists (select 1 from tenant_homes h where h.tenant_id = row.business_id and h.state <> 'draining') then
        raise exception 'business % is being moved to another deployment', row.business_id
            using errcode = 'BR001';
    end if;
    return null;
end $$;

-- every table that holds a business's own data (not a read model, which the new home builds
-- from the events), with the column naming the business; the events are only ever inserted
-- (the sealing of events stored in clear is a deployment's, not a business's, change)
do $$
declare
    owned record;
begin
    for owned in
        select * from (values
            ('events', 'tenant_id'), ('users', 'business_id'), ('account_tokens', 'business_id'),
            ('refresh_tokens', 'business_id'), ('booking_links', 'business_id'),
            ('business_slugs', 'business_id'), ('business_timezones', 'business_id'),
            ('calendar_feeds', 'tenant_id'), ('customer_contacts', 'tenant_id'),
            ('customer_keys', 'tenant_id'), ('webhook_endpoints', 'tenant_id'),
            ('webhook_deliveries', 'tenant_id'), ('notification_deliveries', 'tenant_id'),
            ('agenda_deliveries', 'tenant_id')
        ) as t(name, tenant_column)
    loop
        execute format('create trigger %I after %s on %I for each row
                        execute function %I()',
                       owned.name || '_away',
                       case when owned.name = 'events' then 'insert'
                            else 'insert or update or delete' end,
                       owned.name, 'refuse_changes_away_by_' || owned.tenant_column);
    end loop;
end $$;
