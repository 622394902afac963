-- Tenant isolation, a second time: the query service reads as `barber_reader`, a role that
-- sees a table's rows only where their tenant is the request's (`barber.tenant_id`, set for each
-- read's transaction by `query::reader`). A query that forgets its `where tenant_id = …` finds
-- nothing of another business. The projections and the command side write as the tables'
-- owner, which row-level security does not restrict.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'barber_reader') then
        create role barber_reader nologin;
    end if;
    -- the service's own login must be able to take the role (a superuser always can)
    execute format('grant barber_reader to %I', current_user);
end
$$;

grant usage on schema public to barber_reader;

-- Grants `barber_reader` select on `target`, rows of the request's tenant only (by the
-- column `tenant_column`). A rebuild's swap carries the grant, the switch and the policy over
-- to the new table (`projections::rebuild::swap`).
create function barber_protect(target regclass, tenant_column text default 'tenant_id')
returns void
language plpgsql as $$
begin
    execute format('grant select on %s to barber_reader', target);
    execute format('alter table %s enable row level security', target);
    execute format('drop policy if exists tenant_rows on %s', target);
    execute format(
        'create policy tenant_rows on %s for select to barber_reader
           using (%I = nullif(current_setting(''barber.tenant_id'', true), '''')::uuid)',
        target, tenant_column);
end
$$;

-- every read model, and what the auditor's routes and the logins' list read
select barber_protect(t::regclass)
  from unnest(array[
      'appointment_day_stats', 'appointment_stats_sources', 'appointments', 'businesses',
      'customers', 'read_model_versions', 'reservations', 'services', 'staff_members',
      'staff_time_off', 'staff_working_hours', 'events', 'customer_keys'
  ]) t;
select barber_protect('users', 'business_id');

-- not a business's: which positions the read models have reached (every business's answers
-- are kept by them)
grant select on projection_checkpoints to barber_reader;
