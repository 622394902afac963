// The shop's settings: details (name, timezone, currency, country), the public profile, opening
// hours, the booking policy and online booking. Each part is saved on its own.
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { describe } from "../api/problem";
import { field, formOf } from "../components/form";
import { ErrorNote, Show, useLoad } from "../components/load";
import { HoursFields, rotaOf } from "./staff-hours";

type Business = Schemas["BusinessView"];

export function Settings() {
  const [loaded, reload] = useLoad(() => api.GET("/api/v1/business"), []);
  return (
    <section>
      <h1>Settings</h1>
      <Show loaded={loaded} retry={reload}>
        {(b) => <SettingsForms business={b} saved={reload} />}
      </Show>
    </section>
  );
}

function SettingsForms(props: { business: Business; saved: () => void }) {
  const b = props.business;
  const policy = b.booking_policy;
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = async (what: string, call: () => Promise<{ data?: unknown; error?: unknown }>) => {
    setNote(null);
    setError(null);
    const { data, error } = await call();
    if (data === undefined) return setError(describe(error));
    setNote(`${what} saved.`);
    props.saved();
  };

  return (
    <>
      <p role="status">{note}</p>
      <ErrorNote message={error} />
      <article>
        <h2>The shop</h2>
        <form
          onSubmit={(event) => {
            const form = formOf(event);
            const changed = (name: string, was: string | null | undefined) => {
              const now = field(form, name);
              return now === (was ?? "") ? undefined : now || null;
            };
            return save("Details", () =>
              api.PATCH("/api/v1/business", {
                body: {
                  name: changed("name", b.name),
                  timezone: changed("timezone", b.timezone),
                  currency: changed("currency", b.currency),
                  country: changed("country", b.country),
                },
              }),
            );
          }}
        >
          <label>
            Name
            <input name="name" required defaultValue={b.name} />
          </label>
          <div class="grid">
            <label>
              Timezone
              <input name="timezone" required defaultValue={b.timezone} />
            </label>
            <label>
              Currency
              <input name="currency" required pattern="[A-Z]{3}" defaultValue={b.currency} />
            </label>
            <label>
              Country
              <input name="country" pattern="[A-Z]{2}" defaultValue={b.country ?? ""} />
            </label>
          </div>
          <button type="submit">Save details</button>
        </form>
      </article>
      <article>
        <h2>Public page</h2>
        <form
          onSubmit={(event) => {
            const form = formOf(event);
            return save("Public page", () =>
              api.PUT("/api/v1/business/profile", {
                body: {
                  address: field(form, "address") || null,
                  logo_url: field(form, "logo_url") || null,
                },
              }),
            );
          }}
        >
          <label>
            Address
            <input name="address" defaultValue={b.address ?? ""} />
          </label>
          <label>
            Logo address <small>(https://…)</small>
            <input name="logo_url" type="url" defaultValue={b.logo_url ?? ""} />
          </label>
          <p>
            Customers book at <a href={`/book/${b.slug}`}>/book/{b.slug}</a>
          </p>
          <button type="submit">Save public page</button>
        </form>
      </article>
      <article>
        <h2>Online booking</h2>
        <form
          onSubmit={(event) => {
            const form = formOf(event);
            return save("Online booking", () =>
              api.PUT("/api/v1/business/online-booking", {
                body: {
                  enabled: form.get("enabled") === "on",
                  service_ids: b.online_booking.service_ids ?? null,
                  staff_ids: b.online_booking.staff_ids ?? null,
                },
              }),
            );
          }}
        >
          <label>
            <input name="enabled" type="checkbox" defaultChecked={b.online_booking.enabled} />
            Customers may book on the public page
          </label>
          <button type="submit">Save online booking</button>
        </form>
      </article>
      <article>
        <h2>Opening hours</h2>
        <form
          onSubmit={(event) => {
            const days = rotaOf(formOf(event));
            return save("Opening hours", () =>
              api.PUT("/api/v1/business/opening-hours", { body: { days } }),
            );
          }}
        >
          <HoursFields hours={b.opening_hours ?? []} />
          <button type="submit">Save opening hours</button>
        </form>
      </article>
      <article>
        <h2>Booking policy</h2>
        <form
          onSubmit={(event) => {
            const form = formOf(event);
            const number = (name: string) => Number(field(form, name));
            return save("Booking policy", () =>
              api.PUT("/api/v1/business/booking-policy", {
                body: {
                  min_lead_minutes: number("lead"),
                  max_advance_days: number("advance"),
                  cancellation_window_minutes: number("window"),
                  default_buffer_minutes: number("buffer"),
                  check_in_opens_minutes: number("check_in"),
                  reminder_offsets_minutes: field(form, "reminders")
                    .split(",")
                    .map((h) => h.trim())
                    .filter(Boolean)
                    .map((h) => Math.round(Number(h) * 60)),
                  allow_customer_overlap: form.get("overlap") === "on",
                  notification_channels: (["email", "sms"] as const).filter(
                    (channel) => form.get(`notify_${channel}`) === "on",
                  ),
                  follow_up: form.get("follow_up") === "on",
                },
              }),
            );
          }}
        >
          <div class="grid">
            <label>
              Book at least (minutes ahead)
              <input
                name="lead"
                type="number"
                min="0"
                defaultValue={String(policy.min_lead_minutes)}
              />
            </label>
            <label>
              Book at most (days ahead)
              <input
                name="advance"
                type="number"
                min="1"
                defaultValue={String(policy.max_advance_days)}
              />
            </label>
          </div>
          <div class="grid">
            <label>
              Late cancellation inside (minutes)
              <input
                name="window"
                type="number"
                min="0"
                defaultValue={String(policy.cancellation_window_minutes)}
              />
            </label>
            <label>
              Default buffer (minutes)
              <input
                name="buffer"
                type="number"
                min="0"
                step="5"
                defaultValue={String(policy.default_buffer_minutes)}
              />
            </label>
            <label>
              Check-in opens (minutes before)
              <input
                name="check_in"
                type="number"
                min="0"
                defaultValue={String(policy.check_in_opens_minutes)}
              />
            </label>
          </div>
          <label>
            Reminders (hours before, separated by commas)
            <input
              name="reminders"
              defaultValue={policy.reminder_offsets_minutes.map((m) => m / 60).join(", ")}
            />
          </label>
          <label>
            <input name="overlap" type="checkbox" defaultChecked={policy.allow_customer_overlap} />
            One customer may hold overlapping appointments (a family under one name)
          </label>
          <fieldset>
            <legend>Tell customers about their appointments by</legend>
            <label>
              <input
                name="notify_email"
                type="checkbox"
                defaultChecked={(policy.notification_channels ?? []).includes("email")}
              />
              Email
            </label>
            <label>
              <input
                name="notify_sms"
                type="checkbox"
                defaultChecked={(policy.notification_channels ?? []).includes("sms")}
              />
              SMS
            </label>
            <label>
              <input name="follow_up" type="checkbox" defaultChecked={policy.follow_up} />
              Ask "how was it?" after a visit, with a link to book again
            </label>
          </fieldset>
          <button type="submit">Save booking policy</button>
        </form>
      </article>
    </>
  );
}
