// Free start times of a day for a service, from the public availability, as buttons: a
// barber's own, or every start any barber is free at. Shared by booking and moving a booking.
import { api, type Schemas } from "../api/client";
import { Empty, Show, useLoad } from "../components/load";
import { addDays, clockIn, todayIn } from "../time";

export type FreeStart = { startsAt: string; staffId: string | null };

export function FreeTimes(props: {
  slug: string;
  serviceId: string;
  date: string;
  /** A barber's times; `null`: any barber's. */
  staffId: string | null;
  zone: string;
  chosen: string | null;
  onChoose: (start: FreeStart) => void;
}) {
  const [loaded, reload] = useLoad(
    () =>
      api.GET("/api/v1/public/{slug}/availability", {
        params: {
          path: { slug: props.slug },
          query: {
            service_id: props.serviceId,
            date: props.date,
            ...(props.staffId ? { staff_id: props.staffId } : {}),
          },
        },
      }),
    [props.slug, props.serviceId, props.date, props.staffId],
  );
  return (
    <Show loaded={loaded} retry={reload}>
      {(availability) => {
        const starts = startsOf(availability, props.staffId);
        if (starts.length === 0) return <Empty>No free times that day: try another.</Empty>;
        return (
          <ul class="times">
            {starts.map((s) => (
              <li key={s.startsAt}>
                <button
                  type="button"
                  class={props.chosen === s.startsAt ? "" : "outline"}
                  aria-pressed={props.chosen === s.startsAt}
                  onClick={() => props.onChoose(s)}
                >
                  {clockIn(s.startsAt, props.zone)}
                </button>
              </li>
            ))}
          </ul>
        );
      }}
    </Show>
  );
}

function startsOf(availability: Schemas["Availability"], staffId: string | null): FreeStart[] {
  return availability.days.flatMap((day): FreeStart[] =>
    staffId
      ? day.barbers
          .filter((b) => b.staff_id === staffId)
          .flatMap((b) => b.starts.map((s) => ({ startsAt: s.starts_at, staffId })))
      : day.any.map((s) => ({ startsAt: s.starts_at, staffId: null })),
  );
}

/** The next seven days of the shop, as buttons: `Today`, then `Sat 28`, …. */
export function DayChoices(props: {
  zone: string;
  date: string;
  onChoose: (date: string) => void;
}) {
  const today = todayIn(props.zone);
  return (
    <div class="days">
      {[0, 1, 2, 3, 4, 5, 6].map((n) => {
        const day = addDays(today, n);
        return (
          <button
            key={day}
            type="button"
            class={day === props.date ? "" : "outline"}
            aria-pressed={day === props.date}
            onClick={() => props.onChoose(day)}
          >
            {n === 0 ? "Today" : dayName(day)}
          </button>
        );
      })}
    </div>
  );
}

/** `Sat 28` of a date `YYYY-MM-DD`. */
function dayName(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)));
}
