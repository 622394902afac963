-- The currency fence: a service is created in the business's currency only while the business
-- still has it, so a currency change (which re-prices every service in the same step) can never
-- leave a service priced in the old one behind. It shares the timezone fence's row and lock: a
-- settings change takes the lock exclusively, a service creation shares it.
alter table business_timezones add column currency text;

-- Businesses as last recorded: their currency.
update business_timezones fence
   set currency = latest.currency
  from (select distinct on (aggregate_id)
               aggregate_id::uuid as business_id,
               coalesce(payload -> 'BusinessOpened' ->> 'currency',
                        payload -> 'BusinessSettingsChanged' ->> 'currency') as currency
          from events
         where aggregate_type = 'business'
           and (payload -> 'BusinessOpened' ->> 'currency' is not null
                or payload -> 'BusinessSettingsChanged' ->> 'currency' is not null)
         order by aggregate_id, sequence desc) latest
 where fence.business_id = latest.business_id;

create function currency_fence_holds(business uuid, money text) returns boolean
    language plpgsql volatile
as $$
begin
    perform pg_advisory_xact_lock_shared(hashtext('barber-timezone-fence'), hashtext(business::text));
    return exists (select 1 from business_timezones
                    where business_id = business and currency = money);
end
$$;
