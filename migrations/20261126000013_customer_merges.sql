-- A duplicate merged into another customer stays readable (its id may be in old links) but
-- leaves the list and search; it names the record that holds its appointments now.
alter table customers add column merged_into uuid;

-- The merge step finds a customer's appointments in the event store: the bookings made for
-- them and the appointments moved to them by earlier merges.
create index events_appointments_of_customer on events
    (tenant_id, (coalesce(payload -> 'AppointmentBooked' ->> 'customer_id',
                          payload -> 'AppointmentCustomerChanged' ->> 'customer_id')))
    where event_type in ('AppointmentBooked', 'AppointmentCustomerChanged');
