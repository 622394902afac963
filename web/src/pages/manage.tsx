// A customer's own booking, from the link they were given (`/book/manage#token=…`: the secret
// rides in the fragment, which browsers never send to a server): see it, move it, cancel it,
// until the shop's cancellation window.
import { useState } from "preact/hooks";
import { api, lastPosition } from "../api/client";
import { useAction } from "../components/form";
import { ErrorNote, Show, useLoad } from "../components/load";
import { StatusBadge } from "../components/status";
import { dayAndClockIn, money, todayIn, zoneNote } from "../time";
import { DayChoices, type FreeStart, FreeTimes } from "./public-times";

/** The token of a manage link's fragment. */
export function tokenOf(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "";
}

export function ManageBooking() {
  const token = tokenOf(window.location.hash);
  // a booking made in this tab a moment ago: wait until the read side has it
  const [minPosition, setMinPosition] = useState<number | undefined>(lastPosition() || undefined);
  const [moving, setMoving] = useState(false);
  const [date, setDate] = useState<string | null>(null);
  const [start, setStart] = useState<FreeStart | null>(null);
  const { busy, error, run } = useAction();
  const [booking, reload] = useLoad(
    () =>
      api.GET("/api/v1/public/bookings/{token}", {
        params: { path: { token }, query: minPosition ? { min_position: minPosition } : {} },
      }),
    [token, minPosition],
  );

  const done = (position: number | null | undefined) => {
    setMoving(false);
    setStart(null);
    if (position) setMinPosition(position);
    reload();
  };

  return (
    <main class="container narrow public">
      <h1>Your booking</h1>
      <Show loaded={booking} retry={reload}>
        {(b) => {
          const zone = b.timezone;
          const open =
            (b.status === "booked" || b.status === "confirmed") &&
            new Date(b.changeable_until) > new Date();
          const day = date ?? todayIn(zone);
          return (
            <>
              <p>
                <strong>{b.service_name}</strong> at{" "}
                <a href={`/book/${b.business_slug}`}>{b.business_name}</a>
                {b.staff_name && <> with {b.staff_name}</>}
              </p>
              <p>
                {dayAndClockIn(b.starts_at, zone)} · {money(b.price_cents, b.currency)}{" "}
                <StatusBadge status={b.status} />
              </p>
              {zoneNote(zone) && <p class="zone">{zoneNote(zone)}</p>}
              {open ? (
                <p>You can move or cancel it until {dayAndClockIn(b.changeable_until, zone)}.</p>
              ) : (
                b.status !== "cancelled" && <p>To change it now, please call the shop.</p>
              )}
              <ErrorNote message={error} />
              {open && !moving && (
                <div class="actions">
                  <button type="button" onClick={() => setMoving(true)}>
                    Move
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    disabled={busy}
                    onClick={async () => {
                      const cancelled = await run(() =>
                        api.POST("/api/v1/public/bookings/{token}/cancel", {
                          params: { path: { token } },
                          body: { reason: null },
                        }),
                      );
                      if (cancelled) done(cancelled.position);
                    }}
                  >
                    Cancel booking
                  </button>
                </div>
              )}
              {open && moving && (
                <section aria-labelledby="move">
                  <h2 id="move">A new time</h2>
                  <DayChoices
                    zone={zone}
                    date={day}
                    onChoose={(d) => {
                      setDate(d);
                      setStart(null);
                    }}
                  />
                  <FreeTimes
                    slug={b.business_slug}
                    serviceId={b.service_id}
                    date={day}
                    staffId={b.staff_id}
                    zone={zone}
                    chosen={start?.startsAt ?? null}
                    onChoose={setStart}
                  />
                  <div class="actions">
                    <button
                      type="button"
                      disabled={!start || busy}
                      onClick={async () => {
                        if (!start) return;
                        const moved = await run(() =>
                          api.POST("/api/v1/public/bookings/{token}/reschedule", {
                            params: { path: { token } },
                            body: { starts_at: start.startsAt },
                          }),
                        );
                        if (moved) done(moved.position);
                      }}
                    >
                      Move to {start ? dayAndClockIn(start.startsAt, zone) : "…"}
                    </button>
                    <button type="button" class="outline" onClick={() => setMoving(false)}>
                      Keep it as it is
                    </button>
                  </div>
                </section>
              )}
            </>
          );
        }}
      </Show>
    </main>
  );
}
