// Times in the shop's timezone. The API gives instants in UTC and, where a screen needs them,
// the shop's local wall time with its offset (`starts_at_local`); the calendar works in the
// shop's wall time, whatever the viewer's own timezone is.
import { TZDate } from "@date-fns/tz";

/** A wall time without a zone, `YYYY-MM-DDTHH:MM:SS`: what the calendar shows and gives back. */
export type WallTime = string;

/** The wall time of an RFC 3339 local time with offset (`2026-03-29T10:00:00+01:00`). */
export function wallTimeOf(localWithOffset: string): WallTime {
  return localWithOffset.slice(0, 19);
}

/** The UTC instant (RFC 3339) of a wall time in `zone`; right on daylight-saving days. */
export function instantOf(wall: WallTime | Date, zone: string): string {
  const text = typeof wall === "string" ? wall : wallTimeOfDate(wall);
  const [date = "", time = "00:00:00"] = text.split("T");
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm, ss] = time.split(":").map(Number);
  const zoned = new TZDate(y ?? 1970, (m ?? 1) - 1, d ?? 1, hh ?? 0, mm ?? 0, ss ?? 0, zone);
  return new Date(zoned.getTime()).toISOString();
}

/** The wall time a `Date` shows in the viewer's own clock (the calendar's dates are such). */
export function wallTimeOfDate(date: Date): WallTime {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(
    date.getHours(),
  )}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The wall time of a UTC instant in `zone`. */
export function wallTimeIn(instant: string, zone: string): WallTime {
  return wallTimeOfDate(TZDate.tz(zone, new Date(instant).getTime()) as unknown as Date);
}

/** Today's date in `zone`, `YYYY-MM-DD`. */
export function todayIn(zone: string, now: Date = new Date()): string {
  return wallTimeIn(now.toISOString(), zone).slice(0, 10);
}

/** `HH:MM` of an instant in `zone`. */
export function clockIn(instant: string, zone: string): string {
  return wallTimeIn(instant, zone).slice(11, 16);
}

/** A day and time of an instant in `zone`, e.g. `Tue 1 Dec, 10:00`. */
export function dayAndClockIn(instant: string, zone: string): string {
  return dayAndClockFormat(zone).format(new Date(instant));
}

/** One formatter per zone: making one costs far more than using it (a calendar lists hundreds). */
const dayAndClockFormats = new Map<string, Intl.DateTimeFormat>();

function dayAndClockFormat(zone: string): Intl.DateTimeFormat {
  let format = dayAndClockFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    });
    dayAndClockFormats.set(zone, format);
  }
  return format;
}

/** The viewer's own timezone. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The zone's name when the viewer's clock differs from the shop's, else nothing. */
export function zoneNote(zone: string, viewer: string = viewerZone()): string {
  return zone === viewer ? "" : `times in ${zone}`;
}

/** Whole days added to a date `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const next = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days));
  return next.toISOString().slice(0, 10);
}

/** The Monday of the week a date `YYYY-MM-DD` lies in (weeks run Monday to Sunday). */
export function mondayOf(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  const weekday = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/** Money in minor units as the shop's currency, e.g. `£25.00`. */
export function money(cents: number, currency: string): string {
  return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(cents / 100);
}
