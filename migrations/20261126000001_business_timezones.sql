-- The fence between a business's timezone and the steps decided on it. A barber's day is keyed
-- by its local date, so a booking, reschedule or time off decided on one timezone must not be
-- recorded once the business has moved to another: their events are inserted only while this
-- row still names the timezone they were decided on (the row is locked `for key share`), and a
-- timezone change locks it `for update`, checks that nothing lies ahead, records the change and
-- updates the row in one transaction.
create table business_timezones (
    business_id uuid primary key,
    -- the IANA name, exactly as the Business aggregate records it
    timezone    text not null
);

-- Businesses opened before the fence: their timezone as last recorded.
insert into business_timezones (business_id, timezone)
select distinct on (aggregate_id)
       aggregate_id::uuid,
       coalesce(payload -> 'BusinessOpened' ->> 'timezone',
                payload -> 'BusinessSettingsChanged' ->> 'timezone')
  from events
 where aggregate_type = 'business'
   and event_type in ('BusinessOpened', 'BusinessSettingsChanged')
 order by aggregate_id, sequence desc;

-- Every step that moves a chair is now recorded in one statement over all its streams, so no
-- reservation is ever left half-made: the reconciler's list is gone.
drop table pending_reservations;
