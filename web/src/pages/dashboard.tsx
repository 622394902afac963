// Today at a glance: the chairs, counts, takings, what is next and what was just booked. It
// reads again every few seconds while on screen, so bookings made elsewhere appear.
import { api, type Schemas } from "../api/client";
import { Empty, Show, useLoad } from "../components/load";
import { usePoll } from "../components/poll";
import { STATUSES, StatusBadge, statusWords } from "../components/status";
import { clockIn, dayAndClockIn, money } from "../time";

type Dashboard = Schemas["Dashboard"];
type Appointment = Schemas["DashboardAppointment"];

export function Dashboard() {
  const [loaded, reload] = useLoad(() => api.GET("/api/v1/dashboard"), []);
  usePoll(reload, 5000);
  return (
    <section>
      <h1>Dashboard</h1>
      <Show loaded={loaded} retry={reload}>
        {(d) => <Figures d={d} />}
      </Show>
    </section>
  );
}

function Figures({ d }: { d: Dashboard }) {
  const today = d.appointments_today as Record<string, number>;
  return (
    <>
      <div class="cards">
        <Card label="Customers" value={d.customers} />
        <Card label="Barbers working" value={d.active_staff} />
        <Card label="Services" value={d.active_services} />
        <Card label="No-shows this month" value={d.no_shows_this_month} />
        <Card label="Late cancellations this month" value={d.late_cancellations_this_month} />
      </div>
      {d.revenue && (
        <article aria-labelledby="takings">
          <h2 id="takings">Takings</h2>
          <div class="cards">
            {(
              [
                ["Today", d.revenue.today],
                ["This week", d.revenue.this_week],
                ["This month", d.revenue.this_month],
              ] as const
            ).map(([label, t]) => (
              <div class="card" key={label} data-testid={`takings-${label}`}>
                <small>{label}</small>
                <strong>{money(t.amount_paid_cents, d.currency)}</strong>
                <small>
                  {t.visits} visit{t.visits === 1 ? "" : "s"}, tips {money(t.tip_cents, d.currency)}
                </small>
              </div>
            ))}
          </div>
        </article>
      )}
      <Chairs date={d.today} zone={d.timezone} />
      <article aria-labelledby="today">
        <h2 id="today">Today, {d.today}</h2>
        <ul class="counts">
          {STATUSES.map((s) => (
            <li key={s}>
              {statusWords(s)}: <strong>{today[s] ?? 0}</strong>
            </li>
          ))}
        </ul>
      </article>
      <div class="grid">
        <article aria-labelledby="next">
          <h2 id="next">Next up</h2>
          <Appointments
            items={d.next_bookings}
            zone={d.timezone}
            when={(a) => clockIn(a.starts_at, d.timezone)}
            empty="Nothing more booked today."
          />
        </article>
        <article aria-labelledby="recent">
          <h2 id="recent">Just booked</h2>
          <Appointments
            items={d.recently_booked}
            zone={d.timezone}
            when={(a) => dayAndClockIn(a.starts_at, d.timezone)}
            empty="No bookings yet."
          />
        </article>
      </div>
    </>
  );
}

/** Each barber's day: their hours, what is booked, who is in the chair and who is next. */
function Chairs(props: { date: string; zone: string }) {
  const [loaded, reload] = useLoad(
    () => api.GET("/api/v1/calendar", { params: { query: { date: props.date } } }),
    [props.date],
  );
  usePoll(reload, 5000);
  const now = new Date().toISOString();
  return (
    <article aria-labelledby="chairs">
      <h2 id="chairs">Today's chairs</h2>
      <Show loaded={loaded} retry={reload}>
        {(calendar) =>
          calendar.barbers.length === 0 ? (
            <Empty>No barbers yet.</Empty>
          ) : (
            <div class="overflow-auto">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Barber</th>
                    <th scope="col">Hours</th>
                    <th scope="col">Booked</th>
                    <th scope="col">In the chair</th>
                    <th scope="col">Next</th>
                  </tr>
                </thead>
                <tbody>
                  {calendar.barbers.map((b) => {
                    const day = b.days[0];
                    const live = (day?.appointments ?? []).filter((a) => a.status !== "cancelled");
                    const inChair = live.find((a) => a.status === "in_service");
                    const next = live.find(
                      (a) =>
                        a.starts_at > now && (a.status === "booked" || a.status === "confirmed"),
                    );
                    const hours = (day?.working_hours ?? [])
                      .map(
                        (h) =>
                          `${clockIn(h.starts_at, props.zone)}–${clockIn(h.ends_at, props.zone)}`,
                      )
                      .join(", ");
                    return (
                      <tr key={b.staff_id}>
                        <td>{b.name}</td>
                        <td>{hours || "Off"}</td>
                        <td>{live.length}</td>
                        <td>{inChair ? (inChair.customer_name ?? "Erased customer") : "—"}</td>
                        <td>
                          {next
                            ? `${clockIn(next.starts_at, props.zone)} ${next.customer_name ?? "Erased customer"}`
                            : "—"}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </article>
  );
}

function Card(props: { label: string; value: number }) {
  return (
    <div class="card">
      <small>{props.label}</small>
      <strong>{props.value}</strong>
    </div>
  );
}

function Appointments(props: {
  items: Appointment[];
  zone: string;
  when: (a: Appointment) => string;
  empty: string;
}) {
  if (props.items.length === 0) return <Empty>{props.empty}</Empty>;
  return (
    <ul class="appointments">
      {props.items.map((a) => (
        <li key={a.id}>
          <time dateTime={a.starts_at}>{props.when(a)}</time>{" "}
          <a href={`/customers/${a.customer_id}`}>{a.customer_name ?? "Erased customer"}</a> ·{" "}
          {a.service_name} · {a.staff_name ?? "a barber"} <StatusBadge status={a.status} />
        </li>
      ))}
    </ul>
  );
}
