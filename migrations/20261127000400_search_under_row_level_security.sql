-- Customer search under row-level security. Postgres evaluates a query's own conditions after
-- a table's policy unless their functions are leakproof, so the reader's `search_text like …`
-- could not use the trigram index (`customers_search_folded`): every search walked the
-- business's customers one by one. `textlike` (the `~~` operator) is leakproof in fact: it
-- raises an error only for a malformed pattern, which is the query's own argument, never for
-- the text of a row, so evaluating it before the policy reveals nothing of another tenant.
-- Declaring it so needs a superuser; where the service's database user is not one, search stays
-- correct and walks the rows, and an administrator can run the statement below once.
do $$
begin
    if (select rolsuper from pg_roles where rolname = current_user) then
        alter function pg_catalog.textlike(text, text) leakproof;
    else
        raise notice 'not a superuser: ask an administrator to run '
                     '"alter function pg_catalog.textlike(text, text) leakproof" '
                     'so that customer search uses its index under row-level security';
    end if;
end
$$;
