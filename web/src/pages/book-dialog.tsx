// Booking from the calendar: find the customer (or add them on the spot), pick the service
// with its price, book. The server decides; a taken slot is said in words.
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { describe, isProblem } from "../api/problem";
import { Dialog } from "../components/dialog";
import { ErrorNote, useLoad } from "../components/load";
import { dayAndClockIn, instantOf, money, type WallTime } from "../time";
import type { Service } from "./calendar";

type Customer = Schemas["CustomerView"];

export function BookDialog(props: {
  staffId: string;
  staffName: string;
  start: WallTime;
  zone: string;
  currency: string;
  services: Service[];
  /** Given: the barber and time are chosen in the form (booking by keyboard). */
  barbers?: { id: string; name: string }[] | undefined;
  onClose: () => void;
  onBooked: () => void;
  onRefused: () => void;
}) {
  const active = props.services.filter((s) => s.active);
  const [serviceId, setServiceId] = useState(active[0]?.id ?? "");
  const [q, setQ] = useState("");
  const [customer, setCustomer] = useState<{ id: string; name: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [staffId, setStaffId] = useState(props.staffId);
  const [start, setStart] = useState(props.start);
  const startsAt = instantOf(start, props.zone);
  const staffName = props.barbers?.find((b) => b.id === staffId)?.name ?? props.staffName;
  const service = active.find((s) => s.id === serviceId);

  const [found] = useLoad<Customer[]>(async () => {
    if (q.trim().length < 2) return { data: [] };
    const { data, error } = await api.GET("/api/v1/customers", {
      params: { query: { q: q.trim(), limit: 6 } },
    });
    return data ? { data: data.items } : { error };
  }, [q]);

  const book = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      let customerId = customer?.id;
      if (!customerId) {
        const form = new FormData(event.currentTarget as HTMLFormElement);
        const phone = String(form.get("phone") ?? "").trim();
        const email = String(form.get("email") ?? "").trim();
        const registered = await api.POST("/api/v1/customers", {
          body: {
            name: String(form.get("name") ?? "").trim(),
            phone: phone || null,
            email: email || null,
          },
        });
        if (!registered.data) return setError(describe(registered.error));
        customerId = registered.data.id;
      }
      if (!customerId) return;
      const booked = await api.POST("/api/v1/appointments", {
        body: {
          customer_id: customerId,
          staff_id: staffId,
          service_id: serviceId,
          starts_at: startsAt,
        },
      });
      if (booked.data) return props.onBooked();
      setError(describe(booked.error));
      if (isProblem(booked.error) && booked.error.status === 409) props.onRefused();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Book" onClose={props.onClose}>
      {props.barbers ? (
        <div class="grid">
          <label>
            Barber
            <select value={staffId} onChange={(e) => setStaffId(e.currentTarget.value)}>
              {props.barbers.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Starts
            <input
              type="datetime-local"
              step={300}
              value={start.slice(0, 16)}
              onChange={(e) => setStart(`${e.currentTarget.value}:00`)}
            />
          </label>
        </div>
      ) : (
        <p>
          With <strong>{staffName}</strong> at{" "}
          <strong>{dayAndClockIn(startsAt, props.zone)}</strong>
        </p>
      )}
      <form onSubmit={book}>
        <fieldset>
          <legend>Customer</legend>
          {customer ? (
            <p>
              <strong>{customer.name}</strong>{" "}
              <button
                type="button"
                class="secondary outline small"
                onClick={() => setCustomer(null)}
              >
                Change
              </button>
            </p>
          ) : adding ? (
            <>
              <label>
                Name
                <input name="name" required autocomplete="off" />
              </label>
              <label>
                Phone
                <input name="phone" type="tel" autocomplete="off" />
              </label>
              <label>
                Email
                <input name="email" type="email" autocomplete="off" />
              </label>
              <button
                type="button"
                class="secondary outline small"
                onClick={() => setAdding(false)}
              >
                Search instead
              </button>
            </>
          ) : (
            <>
              <label>
                Find by name, phone or email
                <input
                  type="search"
                  value={q}
                  onInput={(e) => setQ(e.currentTarget.value)}
                  autocomplete="off"
                />
              </label>
              {found.state === "ready" && found.data.length > 0 && (
                <ul class="choices">
                  {found.data.map((c) => (
                    <li key={c.id}>
                      <button
                        type="button"
                        class="outline"
                        onClick={() => setCustomer({ id: c.id, name: c.name ?? "Erased customer" })}
                      >
                        {c.name ?? "Erased customer"} {c.phone && <small>{c.phone}</small>}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              <button type="button" class="secondary outline small" onClick={() => setAdding(true)}>
                New customer
              </button>
            </>
          )}
        </fieldset>
        <label>
          Service
          <select value={serviceId} onChange={(e) => setServiceId(e.currentTarget.value)} required>
            {active.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} · {s.duration_minutes} min · {money(s.price_cents, s.currency)}
              </option>
            ))}
          </select>
        </label>
        {service && (
          <p>
            Price{" "}
            <strong data-testid="price">{money(service.price_cents, service.currency)}</strong>
          </p>
        )}
        <ErrorNote message={error} />
        <button
          type="submit"
          aria-busy={busy}
          disabled={busy || (!customer && !adding) || !serviceId}
        >
          Book
        </button>
      </form>
    </Dialog>
  );
}
