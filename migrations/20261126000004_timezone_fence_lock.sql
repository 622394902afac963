-- The timezone fence without a row lock. Locking the business's `business_timezones` row
-- `for key share` in every booking step wrote to that row on every step (a multixact while
-- several were in flight). A shared advisory lock lives only in the lock manager: fenced steps
-- never wait for each other, a timezone change takes the same lock exclusively and so waits
-- for the steps in flight, and a step that waited for the change sees it.
--
-- `volatile` matters: a volatile function's queries take a fresh snapshot, so the check below
-- runs after the lock is held and sees a change that committed while this step waited for it
-- (the calling statement's own snapshot was taken before and would not).
create function timezone_fence_holds(business uuid, zone text) returns boolean
    language plpgsql volatile
as $$
begin
    -- the two-key form, in a class of its own like the relay's lock
    perform pg_advisory_xact_lock_shared(hashtext('barber-timezone-fence'), hashtext(business::text));
    return exists (select 1 from business_timezones
                    where business_id = business and timezone = zone);
end
$$;
