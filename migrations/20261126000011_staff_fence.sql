-- The staff fence: a step that puts a booking on a barber's day is recorded only while that
-- barber is active. Deactivating a barber lists their days ahead and moves or cancels what is
-- booked there; a booking on a day it did not list must not slip in meanwhile. Like the timezone
-- fence: a booking step holds the barber's fence lock shared while its insert commits, a
-- deactivation takes it exclusively before it lists the days, and a step that waited for a
-- deactivation sees it (volatile: a fresh snapshot after the lock is held).
create function staff_fence_holds(staff uuid[]) returns boolean
    language plpgsql volatile
as $$
declare
    member uuid;
begin
    -- in one order, so two steps never wait for each other's locks the other way round
    foreach member in array array(select distinct m from unnest(staff) as m order by m) loop
        perform pg_advisory_xact_lock_shared(hashtext('barber-staff-fence'), hashtext(member::text));
        if (select event_type from events
             where aggregate_type = 'staff' and aggregate_id = member::text
               and event_type in ('StaffMemberDeactivated', 'StaffMemberReactivated')
             order by sequence desc limit 1) = 'StaffMemberDeactivated' then
            return false;
        end if;
    end loop;
    return true;
end
$$;

-- The records of a business by type (each record's first event): which staff a business has,
-- which days of a barber have a schedule. Collation "C" so that a barber's days, named
-- `{staff_id}:{date}`, are one contiguous range in date order.
create index events_records on events (tenant_id, aggregate_type, (aggregate_id collate "C"))
    where sequence = 1;
