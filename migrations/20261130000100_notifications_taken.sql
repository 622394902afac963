-- A message a worker has taken (it has a row in `notification_deliveries`) leaves the index the
-- workers look for new work in. Before, every pending message was in it, taken or not, and a
-- message skipped (no SMS provider, no address) or given up stays `pending` in the plan for
-- good: each poll passed over all of them, a whole core of Postgres at a few hundred thousand.
-- Messages taken again (retrying, a claim that ran out, sent but not recorded) are found
-- through `notification_deliveries_open` instead.
--
-- `taken` is written by the worker's claim, and by the projection from the deliveries when it
-- (re)builds a row, so a rebuilt table has the same rows as the one kept up event by event.
alter table notifications add column taken boolean not null default false;
update notifications n set taken = true
  where exists (select 1 from notification_deliveries d where d.notification_id = n.notification_id);
drop index notifications_due;
create index notifications_due on notifications (due_at) where status = 'pending' and not taken;
