-- The trace of the request whose event planned a message (its W3C traceparent, when traces are
-- exported): the worker's sending continues it.
alter table notifications add column trace_parent text;
