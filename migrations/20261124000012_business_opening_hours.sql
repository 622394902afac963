-- Opening hours on the businesses read model, from `OpeningHoursSet`.
alter table businesses
    -- the week as recorded in the last OpeningHoursSet, Monday first, local wall-clock times:
    -- [{"weekday": "mon", "start": "09:00", "end": "18:00",
    --   "breaks": [{"start": "13:00", "end": "13:30"}]}, …]; a weekday absent is closed.
    -- null = never set: the business takes bookings whenever its staff work
    add column opening_hours jsonb
        check (opening_hours is null or jsonb_typeof(opening_hours) = 'array');
