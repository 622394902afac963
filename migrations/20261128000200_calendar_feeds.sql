-- Calendar feeds: a secret address (`/api/v1/feeds/{token}.ics`) at which a barber's
-- appointments (or the whole shop's) can be subscribed to from Google Calendar or Apple
-- Calendar. Only the token's SHA-256 is kept; a feed is revoked, never deleted, so its address
-- stays dead.
create table calendar_feeds (
    feed_id    uuid        primary key,
    tenant_id  uuid        not null,
    -- the barber whose chair it shows; null: every barber of the shop
    staff_id   uuid,
    token_hash bytea       not null unique,
    created_by uuid        not null,
    created_at timestamptz not null,
    revoked_at timestamptz
);
create index calendar_feeds_by_tenant on calendar_feeds (tenant_id, created_at desc);

select barber_protect('calendar_feeds');
