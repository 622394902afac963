-- An erased customer can no longer be booked either: the customer fence holds back a booking
-- for a customer merged into another or erased (the erasure takes the fence exclusively).
create or replace function customer_fence_holds(customers uuid[]) returns boolean
    language plpgsql volatile
as $$
declare
    member uuid;
begin
    foreach member in array array(select distinct c from unnest(customers) as c order by c) loop
        perform pg_advisory_xact_lock_shared(hashtext('barber-customer-fence'), hashtext(member::text));
        if exists (select 1 from events
                    where aggregate_type = 'customer' and aggregate_id = member::text
                      and event_type in ('CustomerMergedInto', 'CustomerErased')) then
            return false;
        end if;
    end loop;
    return true;
end
$$;
