-- Accent-insensitive customer search: `chloe` finds `Chloé`, `jose` finds `José`, and `Chloé`
-- finds `chloe`. Names and emails are searched folded: lower-case, without accents.
create extension if not exists unaccent with schema public;

-- How names, emails and search terms are folded. `unaccent(text)` is only `stable` (it finds its
-- dictionary through the search path), so it cannot be indexed; with the dictionary named by
-- schema its result depends on nothing but the rules file Postgres ships, hence `immutable`
-- here. A Postgres whose unaccent rules changed would need `search_text` recomputed
-- (`update customers set name = name`).
create function barber_fold(text) returns text
    language sql immutable parallel safe strict
    return lower(public.unaccent('public.unaccent'::regdictionary, $1));

alter table customers
    -- what `q` searches: name and email folded, the phone in E.164
    add column search_text text generated always as (
        barber_fold(name) || ' ' || coalesce(phone, '') || ' ' || coalesce(barber_fold(email), '')
    ) stored;

-- `q` is a substring search (`like '%…%'`), served by trigrams of the folded text
create index customers_search_folded on customers using gin (search_text gin_trgm_ops);
drop index customers_search;
