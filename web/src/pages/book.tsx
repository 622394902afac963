// The public booking page, `/book/{slug}`: service → barber (or any) → day → time → details →
// done, with the link to manage the booking. Made for a phone first.

import { useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { api, type Schemas } from "../api/client";
import { field, formOf, useAction } from "../components/form";
import { ErrorNote, Show, useLoad } from "../components/load";
import { dayAndClockIn, money, todayIn, zoneNote } from "../time";
import { DayChoices, type FreeStart, FreeTimes } from "./public-times";

export function BookingPage() {
  const { params } = useRoute();
  const slug = params.slug ?? "";
  const [shop, reload] = useLoad(async () => {
    const [shop, services, staff] = await Promise.all([
      api.GET("/api/v1/public/{slug}", { params: { path: { slug } } }),
      api.GET("/api/v1/public/{slug}/services", { params: { path: { slug } } }),
      api.GET("/api/v1/public/{slug}/staff", { params: { path: { slug } } }),
    ]);
    if (shop.data && services.data && staff.data) {
      return { data: { shop: shop.data, services: services.data, staff: staff.data } };
    }
    return { error: shop.error ?? services.error ?? staff.error };
  }, [slug]);
  return (
    <main class="container narrow public">
      <Show loaded={shop} retry={reload}>
        {(s) => <Booking slug={slug} {...s} />}
      </Show>
    </main>
  );
}

function Booking(props: {
  slug: string;
  shop: Schemas["Shop"];
  services: Schemas["OnlineService"][];
  staff: Schemas["OnlineBarber"][];
}) {
  const { shop, services, staff } = props;
  const zone = shop.timezone;
  const [serviceId, setServiceId] = useState<string | null>(null);
  const [staffId, setStaffId] = useState<string | null>(null);
  const [date, setDate] = useState(() => todayIn(zone));
  const [start, setStart] = useState<FreeStart | null>(null);
  const [booked, setBooked] = useState<{ when: string; manage: string | null } | null>(null);
  const { busy, error, run } = useAction();
  const service = services.find((s) => s.id === serviceId);
  const barbers = staff.filter(
    (b) => !b.service_ids || (serviceId && b.service_ids.includes(serviceId)),
  );

  const book = async (event: Event) => {
    const form = formOf(event);
    if (!service || !start) return;
    const email = field(form, "email");
    const done = await run(() =>
      api.POST("/api/v1/public/{slug}/bookings", {
        params: { path: { slug: props.slug } },
        body: {
          service_id: service.id,
          staff_id: start.staffId,
          starts_at: start.startsAt,
          name: field(form, "name"),
          phone: field(form, "phone"),
          email: email || null,
          marketing_consent: form.get("marketing_consent") === "on",
        },
      }),
    );
    if (done) {
      const manage = done.manage_url ? new URL(done.manage_url) : null;
      setBooked({
        when: dayAndClockIn(done.starts_at, zone),
        manage: manage ? `/book/manage${manage.hash}` : null,
      });
    }
  };

  if (!shop.online_booking) {
    return (
      <>
        <h1>{shop.name}</h1>
        <p>{shop.name} does not take bookings online at the moment: please call the shop.</p>
      </>
    );
  }
  if (booked) {
    return (
      <section aria-live="polite">
        <h1>You're booked</h1>
        <p>
          {service?.name} at {shop.name}, <strong>{booked.when}</strong>
          {zoneNote(zone) && <small> ({zoneNote(zone)})</small>}.
        </p>
        {booked.manage && (
          <p>
            Keep this link to see, move or cancel your booking:{" "}
            <a href={booked.manage}>manage my booking</a>
          </p>
        )}
      </section>
    );
  }
  return (
    <>
      <header>
        {shop.logo_url && <img src={shop.logo_url} alt="" class="logo" />}
        <h1>{shop.name}</h1>
        {shop.address && <p>{shop.address}</p>}
      </header>
      <section aria-labelledby="step-service">
        <h2 id="step-service">1. Service</h2>
        <ul class="choices">
          {services.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                class={serviceId === s.id ? "" : "outline"}
                aria-pressed={serviceId === s.id}
                onClick={() => {
                  setServiceId(s.id);
                  setStart(null);
                }}
              >
                {s.name} · {s.duration_minutes} min · {money(s.price_cents, s.currency)}
              </button>
            </li>
          ))}
        </ul>
      </section>
      {service && (
        <section aria-labelledby="step-barber">
          <h2 id="step-barber">2. Barber</h2>
          <label>
            Who
            <select
              value={staffId ?? ""}
              onChange={(e) => {
                setStaffId(e.currentTarget.value || null);
                setStart(null);
              }}
            >
              <option value="">Any barber</option>
              {barbers.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
        </section>
      )}
      {service && (
        <section aria-labelledby="step-time">
          <h2 id="step-time">3. Day and time</h2>
          <DayChoices
            zone={zone}
            date={date}
            onChoose={(day) => {
              setDate(day);
              setStart(null);
            }}
          />
          {zoneNote(zone) && <p class="zone">{zoneNote(zone)}</p>}
          <FreeTimes
            slug={props.slug}
            serviceId={service.id}
            date={date}
            staffId={staffId}
            zone={zone}
            chosen={start?.startsAt ?? null}
            onChoose={setStart}
          />
        </section>
      )}
      {service && start && (
        <section aria-labelledby="step-details">
          <h2 id="step-details">4. Your details</h2>
          <p>
            {service.name}, {dayAndClockIn(start.startsAt, zone)},{" "}
            {money(service.price_cents, service.currency)}
          </p>
          <form onSubmit={book}>
            <label>
              Name
              <input name="name" required autocomplete="name" />
            </label>
            <label>
              Phone
              <input name="phone" type="tel" required autocomplete="tel" />
            </label>
            <label>
              Email <small>(optional)</small>
              <input name="email" type="email" autocomplete="email" />
            </label>
            <label>
              <input name="marketing_consent" type="checkbox" />
              Send me news and offers from {shop.name}
            </label>
            <ErrorNote message={error} />
            <button type="submit" aria-busy={busy} disabled={busy}>
              Book
            </button>
          </form>
        </section>
      )}
    </>
  );
}
