-- A user may be one of the business's staff members (a barber who logs in; an owner who cuts
-- hair): the login's link to their chair.
alter table users add column staff_id uuid;
