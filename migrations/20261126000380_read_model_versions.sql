-- Per business and read model, a row that every projection batch changing the business's rows
-- rewrites in its own transaction: the row's xmin is the version of the business's part of the
-- read model, by which a query process keeps what it read (a day's reservations) and knows when
-- to read it again. A rebuild rewrites every row of its read model.
create table read_model_versions (
    tenant_id  uuid        not null,
    read_model text        not null,
    changed_at timestamptz not null default now(),
    primary key (tenant_id, read_model)
);
