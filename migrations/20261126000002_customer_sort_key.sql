-- The customer list's sort key, computed once, by Postgres. The list is ordered by it and its
-- cursor carries the value read back from this column, so the order and the cursor's
-- comparison can never disagree (a cursor lower-cased elsewhere, e.g. by Rust, differs from
-- `lower()` on names such as `ΝΙΚΟΣ` or `İlker` and skips or repeats customers).
alter table customers
    -- `lower(name)` under the database's collation: the order of `GET /customers`
    add column sort_name text generated always as (lower(name)) stored;

-- the list's order (sort name, then id as tie-breaker) for keyset pagination
create index customers_by_sort_name on customers (tenant_id, sort_name, customer_id);
drop index customers_by_name;
