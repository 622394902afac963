-- A barber may work several shifts a day (09:00-12:00 and 15:00-20:00), so a weekday has one row
-- per shift, keyed by its start; and a shift may end at midnight, stored as Postgres's '24:00'
-- (a `time` may be 24:00:00, which is after every other time of the day).
alter table staff_working_hours drop constraint staff_working_hours_pkey;
alter table staff_working_hours add primary key (tenant_id, staff_id, weekday, start_time);
