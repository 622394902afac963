-- The calendar reads a day's time off without the day's appointments: a partial index of the
-- live time off, so that it does not visit every reservation of the day to find the few.
create index reservations_live_time_off on reservations (tenant_id, schedule_date, staff_id)
    where released_at is null and kind = 'time_off';
