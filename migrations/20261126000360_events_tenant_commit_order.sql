-- The auditor's log of one business, and its export, in commit order: the business's events
-- by (transaction_id, global_position), read behind the xid8 gate like the relay's read, so a
-- page never skips a transaction that commits late. Without it, a business's log would be
-- read from the whole store's commit order (`events_commit_order`) and filtered.
create index events_tenant_commit_order on events (tenant_id, transaction_id, global_position);
