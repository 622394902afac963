// An appointment's day: confirm, check in, start, complete with payment, cancel or no-show.
// Only the steps its status allows are offered; the server has the last word.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import { describe } from "../api/problem";
import { Dialog } from "../components/dialog";
import { ErrorNote } from "../components/load";
import { StatusBadge } from "../components/status";
import { dayAndClockIn, money } from "../time";
import type { Service } from "./calendar";
import type { CalendarAppointment } from "./calendar-events";

type Step = "confirm" | "check-in" | "start" | "no-show";

const STEPS: Record<string, Step[]> = {
  booked: ["confirm", "check-in", "no-show"],
  confirmed: ["check-in", "no-show"],
  checked_in: ["start", "no-show"],
  in_service: [],
};

const STEP_WORDS: Record<Step, string> = {
  confirm: "Confirm",
  "check-in": "Check in",
  start: "Start",
  "no-show": "No-show",
};

export function AppointmentDialog(props: {
  appointment: CalendarAppointment;
  zone: string;
  currency: string;
  services: Service[];
  onClose: () => void;
  onDone: () => void;
  onRefused: (error: unknown) => void;
}) {
  const a = props.appointment;
  const price = props.services.find((s) => s.id === a.service_id)?.price_cents ?? 0;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const path = { params: { path: { id: a.id } } };

  const run = async (
    call: () => Promise<{ data?: { position?: number | null }; error?: unknown }>,
  ) => {
    setBusy(true);
    setError(null);
    const { data, error } = await call();
    setBusy(false);
    if (data) props.onDone();
    else if (error) props.onRefused(error);
    else setError(describe(error));
  };

  const step = (s: Step) => run(() => api.POST(`/api/v1/appointments/{id}/${s}`, path));

  const complete = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const cents = (name: string) => Math.round(Number(form.get(name) ?? 0) * 100);
    return run(() =>
      api.POST("/api/v1/appointments/{id}/complete", {
        ...path,
        body: {
          amount_paid_cents: cents("amount"),
          tip_cents: cents("tip"),
          payment_method: String(form.get("method")),
        },
      }),
    );
  };

  const cancel = () =>
    run(() => api.POST("/api/v1/appointments/{id}/cancel", { ...path, body: { reason: null } }));

  const open = a.status === "booked" || a.status === "confirmed";
  return (
    <Dialog title={a.customer_name ?? "Erased customer"} onClose={props.onClose}>
      <p>
        {a.service_name} · {dayAndClockIn(a.starts_at, props.zone)}{" "}
        <StatusBadge status={a.status} />
      </p>
      <p>
        <a href={`/customers/${a.customer_id}`}>Customer's profile</a> ·{" "}
        <a href={`/audit?type=appointment&id=${a.id}`}>History</a>
      </p>
      <div class="actions">
        {(STEPS[a.status] ?? []).map((s) => (
          <button key={s} type="button" disabled={busy} onClick={() => step(s)}>
            {STEP_WORDS[s]}
          </button>
        ))}
        {open && (
          <button type="button" class="secondary" disabled={busy} onClick={cancel}>
            Cancel appointment
          </button>
        )}
      </div>
      {a.status === "in_service" && (
        <form onSubmit={complete}>
          <fieldset class="grid">
            <label>
              Paid ({props.currency})
              <input
                name="amount"
                type="number"
                min="0"
                step="0.01"
                required
                defaultValue={(price / 100).toFixed(2)}
              />
            </label>
            <label>
              Tip
              <input name="tip" type="number" min="0" step="0.01" defaultValue="0.00" />
            </label>
            <label>
              Paid by
              <select name="method">
                <option value="card">Card</option>
                <option value="cash">Cash</option>
                <option value="other">Other</option>
              </select>
            </label>
          </fieldset>
          <button type="submit" disabled={busy} aria-busy={busy}>
            Complete · {money(price, props.currency)}
          </button>
        </form>
      )}
      <ErrorNote message={error} />
    </Dialog>
  );
}
