-- Tags, preferences and marketing consent on the customers read model. Rows written before
-- these facts existed get the values of a customer who has none: no tags, no preferences, no
-- consent.
alter table customers
    -- the business's labels: lower-case, distinct, sorted (the aggregate normalises them)
    add column tags                 text[]      not null default '{}',
    -- a JSON object of at most 8 KiB, personal data (erased with the customer)
    add column preferences          jsonb       not null default '{}',
    -- whether marketing may be sent
    add column marketing_consent    boolean     not null default false,
    -- when the answer on record was given (or withdrawn); null if the customer never answered
    add column marketing_consent_at timestamptz;

-- `GET /customers?tag=` is `tags @> array[$tag]`
create index customers_by_tag on customers using gin (tags);
