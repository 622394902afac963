-- A projection that is new while the store already holds events of its types is filled from the
-- event store (a rebuild) before its consumer starts: the stream keeps only 30 days.
alter table projection_checkpoints
    add column backfill_pending boolean not null default false;

comment on column projection_checkpoints.backfill_pending is
    'true from the first start of a projection over existing events until its backfill (a rebuild) has swapped in; its workers do not consume meanwhile';
