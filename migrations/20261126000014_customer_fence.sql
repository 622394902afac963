-- The customer fence: a booking is recorded for a customer only while that record is still on
-- the books (not merged into another). A merge lists the duplicate's appointments, then records
-- under the fence's lock exclusively after checking that list did not grow; bookings hold it
-- shared while their insert commits, and one that waited for a merge sees it (volatile: a
-- fresh snapshot after the lock is held).
create function customer_fence_holds(customers uuid[]) returns boolean
    language plpgsql volatile
as $$
declare
    member uuid;
begin
    foreach member in array array(select distinct c from unnest(customers) as c order by c) loop
        perform pg_advisory_xact_lock_shared(hashtext('barber-customer-fence'), hashtext(member::text));
        if exists (select 1 from events
                    where aggregate_type = 'customer' and aggregate_id = member::text
                      and event_type = 'CustomerMergedInto') then
            return false;
        end if;
    end loop;
    return true;
end
$$;
