// The calendar's answer as the calendar component's resources and events, in the shop's wall
// time: appointments, and the barbers' working hours, breaks and time off as shading.
import type { Schemas } from "../api/client";
import type { CalendarOptions } from "../components/resource-calendar";
import { wallTimeOf } from "../time";

type CalendarAnswer = Schemas["Calendar"];
export type CalendarAppointment = Schemas["CalendarAppointment"] & { staff_id: string };
type EventInput = NonNullable<CalendarOptions["events"]>[number];

/** An appointment's colour on the grid by status (its words are in the list beside). */
const COLOURS: Record<string, string> = {
  booked: "#1d4ed8",
  confirmed: "#047857",
  checked_in: "#6d28d9",
  in_service: "#b45309",
  completed: "#4b5563",
  no_show: "#b91c1c",
};

export function resourcesOf(calendar: CalendarAnswer) {
  return calendar.barbers.map((b) => ({ id: b.staff_id, title: b.name }));
}

/** Appointments (cancelled ones left out: their chair is free) and the shading. */
export function eventsOf(calendar: CalendarAnswer): EventInput[] {
  const events: EventInput[] = [];
  for (const barber of calendar.barbers) {
    for (const day of barber.days) {
      const shade = (stretch: Schemas["Stretch"], kind: string) =>
        events.push({
          start: wallTimeOf(stretch.starts_at_local),
          end: wallTimeOf(stretch.ends_at_local),
          resourceIds: [barber.staff_id],
          display: "background",
          classNames: [kind],
        });
      for (const hours of day.working_hours) shade(hours, "working");
      for (const pause of day.breaks) shade(pause, "break");
      for (const off of day.time_off) shade(off, "time-off");
      for (const a of day.appointments) {
        if (a.status === "cancelled") continue;
        events.push({
          id: a.id,
          start: wallTimeOf(a.starts_at_local),
          end: wallTimeOf(a.ends_at_local),
          resourceIds: [barber.staff_id],
          title: `${a.customer_name ?? "Erased customer"} · ${a.service_name}`,
          classNames: ["appointment", `status-${a.status}`],
          backgroundColor: COLOURS[a.status] ?? "#1d4ed8",
          textColor: "#ffffff",
          // a finished visit stays where it was
          editable: a.status === "booked" || a.status === "confirmed",
          extendedProps: { appointment: { ...a, staff_id: barber.staff_id } },
        });
      }
    }
  }
  return events;
}

/** The hours the grid shows: the earliest start to the latest end of anyone's day. */
export function visibleHours(calendar: CalendarAnswer): { min: string; max: string } {
  let min = 24 * 60;
  let max = 0;
  const minutes = (local: string) => Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16));
  for (const barber of calendar.barbers) {
    for (const day of barber.days) {
      for (const stretch of [...day.working_hours, ...day.appointments]) {
        min = Math.min(min, minutes(stretch.starts_at_local));
        const end = minutes(stretch.ends_at_local);
        max = Math.max(max, end === 0 ? 24 * 60 : end);
      }
    }
  }
  if (min >= max) return { min: "08:00:00", max: "20:00:00" };
  const hour = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:00:00`;
  return { min: hour(Math.max(0, min - 60)), max: hour(Math.min(24 * 60, max + 60 + 59)) };
}
