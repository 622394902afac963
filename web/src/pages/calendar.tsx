// The shop's calendar: a column per barber, a day or a week. Click a free time to book, drag an
// appointment to move it (to another time or barber), click one to move it along its day. A
// refusal is said in words and the calendar reads the truth again.
import { useCallback, useMemo, useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { describe } from "../api/problem";
import { ErrorNote, Show, useLoad } from "../components/load";
import { usePoll } from "../components/poll";
import { type CalendarOptions, ResourceCalendar } from "../components/resource-calendar";
import { useShop } from "../components/shop";
import { StatusBadge } from "../components/status";
import {
  addDays,
  dayAndClockIn,
  instantOf,
  mondayOf,
  todayIn,
  type WallTime,
  wallTimeOfDate,
  zoneNote,
} from "../time";
import { AppointmentDialog } from "./appointment-dialog";
import { BookDialog } from "./book-dialog";
import { type CalendarAppointment, eventsOf, resourcesOf, visibleHours } from "./calendar-events";

type Booking = { staffId: string; staffName: string; start: WallTime; choose?: boolean };

export function Calendar() {
  const { business } = useShop();
  const zone = business.timezone;
  const [date, setDate] = useState(() => todayIn(zone));
  const [days, setDays] = useState<1 | 7>(1);
  const [notice, setNotice] = useState<string | null>(null);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [opened, setOpened] = useState<CalendarAppointment | null>(null);

  // a week is Monday to Sunday, as the grid shows it
  const from = days === 7 ? mondayOf(date) : date;
  const [loaded, reload] = useLoad(
    () =>
      api.GET("/api/v1/calendar", {
        params: { query: { date: from, days } },
      }),
    [from, days],
  );
  const [services] = useLoad(() => api.GET("/api/v1/services", { params: { query: {} } }), []);
  usePoll(reload, 15000);

  const refused = useCallback(
    (error: unknown) => {
      setNotice(describe(error));
      reload();
    },
    [reload],
  );

  const calendar = loaded.state === "ready" ? loaded.data : null;
  const options = useMemo<CalendarOptions>(() => {
    if (!calendar) return {};
    const hours = visibleHours(calendar);
    return {
      view: days === 1 ? "resourceTimeGridDay" : "resourceTimeGridWeek",
      date: from,
      firstDay: 1,
      headerToolbar: { start: "", center: "", end: "" },
      allDaySlot: false,
      nowIndicator: false,
      slotDuration: "00:15:00",
      // its own Intl range formatter costs a third of a millisecond an event
      eventTimeFormat: timeRange,
      slotMinTime: hours.min,
      slotMaxTime: hours.max,
      height: "auto",
      locale: "en-GB",
      datesAboveResources: days === 7,
      eventDurationEditable: false,
      editable: true,
      resources: resourcesOf(calendar),
      events: eventsOf(calendar),
      dateClick: (info) => {
        if (!info.resource) return;
        setNotice(null);
        setBooking({
          staffId: String(info.resource.id),
          staffName: String(info.resource.title),
          start: wallTimeOfDate(info.date),
        });
      },
      eventClick: (info) => {
        const appointment = info.event.extendedProps.appointment as CalendarAppointment | undefined;
        if (appointment) setOpened(appointment);
      },
      eventDrop: async (info) => {
        const appointment = info.event.extendedProps.appointment as CalendarAppointment;
        setNotice(null);
        const { data, error } = await api.POST("/api/v1/appointments/{id}/reschedule", {
          params: { path: { id: appointment.id } },
          body: {
            starts_at: instantOf(info.event.start, zone),
            staff_id: info.newResource ? String(info.newResource.id) : null,
          },
        });
        // the next read asks for this write (`api/client.ts`, read-your-writes)
        if (data) reload();
        else {
          info.revert();
          refused(error);
        }
      },
    };
  }, [calendar, from, days, zone, reload, refused]);

  const step = days === 1 ? 1 : 7;
  const note = zoneNote(zone);
  return (
    <section>
      <div class="toolbar">
        <h1>Calendar</h1>
        <fieldset class="joined">
          <legend class="visually-hidden">Dates</legend>
          <button type="button" class="outline" onClick={() => setDate(addDays(date, -step))}>
            ‹ <span class="visually-hidden">Earlier</span>
          </button>
          <button type="button" class="outline" onClick={() => setDate(todayIn(zone))}>
            Today
          </button>
          <button type="button" class="outline" onClick={() => setDate(addDays(date, step))}>
            › <span class="visually-hidden">Later</span>
          </button>
        </fieldset>
        <label class="inline">
          <span class="visually-hidden">Date</span>
          <input type="date" value={date} onChange={(e) => setDate(e.currentTarget.value)} />
        </label>
        <fieldset class="joined">
          <legend class="visually-hidden">View</legend>
          <button
            type="button"
            class={days === 1 ? "" : "outline"}
            aria-pressed={days === 1}
            onClick={() => setDays(1)}
          >
            Day
          </button>
          <button
            type="button"
            class={days === 7 ? "" : "outline"}
            aria-pressed={days === 7}
            onClick={() => setDays(7)}
          >
            Week
          </button>
        </fieldset>
        <button
          type="button"
          disabled={!calendar || calendar.barbers.length === 0}
          onClick={() => {
            const first = calendar?.barbers[0];
            if (first)
              setBooking({
                staffId: first.staff_id,
                staffName: first.name,
                start: `${date}T09:00:00`,
                choose: true,
              });
          }}
        >
          New booking
        </button>
      </div>
      {note && <p class="zone">{note}</p>}
      <ErrorNote message={notice} />
      <Show loaded={loaded} retry={reload}>
        {(c) =>
          c.barbers.length === 0 ? (
            <p class="empty">No barbers yet: add one with working hours to start booking.</p>
          ) : (
            <>
              <ResourceCalendar options={options} />
              <Listed calendar={c} zone={zone} open={setOpened} />
            </>
          )
        }
      </Show>
      {booking && (
        <BookDialog
          staffId={booking.staffId}
          staffName={booking.staffName}
          start={booking.start}
          barbers={
            booking.choose && calendar
              ? calendar.barbers.map((b) => ({ id: b.staff_id, name: b.name }))
              : undefined
          }
          zone={zone}
          currency={business.currency}
          services={services.state === "ready" ? services.data.items : []}
          onClose={() => setBooking(null)}
          onBooked={() => {
            setBooking(null);
            reload();
          }}
          onRefused={reload}
        />
      )}
      {opened && (
        <AppointmentDialog
          appointment={opened}
          zone={zone}
          currency={business.currency}
          services={services.state === "ready" ? services.data.items : []}
          onClose={() => setOpened(null)}
          onDone={() => {
            setOpened(null);
            reload();
          }}
          onRefused={(error) => {
            setOpened(null);
            refused(error);
          }}
        />
      )}
    </section>
  );
}

export type Service = Schemas["ServiceView"];

/** An appointment's times on the grid, "09:00–09:30": the calendar's dates are wall times. */
function timeRange(start: Date, end: Date | null): string {
  const clock = (d: Date) =>
    `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  return end ? `${clock(start)}–${clock(end)}` : clock(start);
}

/** The same appointments as a list: for keyboards, screen readers and small screens. */
function Listed(props: {
  calendar: Schemas["Calendar"];
  zone: string;
  open: (a: CalendarAppointment) => void;
}) {
  return (
    <section aria-labelledby="listed" class="listed">
      <h2 id="listed">Appointments</h2>
      {props.calendar.barbers.map((b) => {
        const appointments = b.days.flatMap((d) => d.appointments);
        return (
          <div key={b.staff_id}>
            <h3>{b.name}</h3>
            {appointments.length === 0 ? (
              <p class="empty">Nothing booked.</p>
            ) : (
              <ul class="appointments">
                {appointments.map((a) => (
                  <li key={a.id}>
                    <button
                      type="button"
                      class="outline small"
                      onClick={() => props.open({ ...a, staff_id: b.staff_id })}
                    >
                      {dayAndClockIn(a.starts_at, props.zone)} ·{" "}
                      {a.customer_name ?? "Erased customer"} · {a.service_name}
                    </button>{" "}
                    <StatusBadge status={a.status} />
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
    </section>
  );
}
