// One customer: details (editable), their history in figures, and every completed visit.

import { useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { api } from "../api/client";
import { Empty, Show, useLoad } from "../components/load";
import { useShop } from "../components/shop";
import { dayAndClockIn, money } from "../time";
import { CustomerForm } from "./customer-form";

export function CustomerProfile() {
  const { params } = useRoute();
  const { business } = useShop();
  const id = params.id ?? "";
  const [editing, setEditing] = useState(false);
  const [customer, reload] = useLoad(
    () => api.GET("/api/v1/customers/{id}", { params: { path: { id } } }),
    [id],
  );
  const [visits, reloadVisits] = useLoad(
    () => api.GET("/api/v1/customers/{id}/visits", { params: { path: { id } } }),
    [id],
  );
  const zone = business.timezone;
  return (
    <section>
      <Show loaded={customer} retry={reload}>
        {(c) => (
          <>
            <div class="toolbar">
              <h1>{c.name ?? "Erased customer"}</h1>
              {!c.erased_at && (
                <button type="button" class="outline" onClick={() => setEditing(!editing)}>
                  {editing ? "Close" : "Edit"}
                </button>
              )}
            </div>
            {editing ? (
              <CustomerForm
                customer={c}
                onSaved={() => {
                  setEditing(false);
                  reload();
                }}
              />
            ) : (
              <dl class="details">
                <dt>Phone</dt>
                <dd>{c.phone ?? "—"}</dd>
                <dt>Email</dt>
                <dd>{c.email ?? "—"}</dd>
                <dt>Tags</dt>
                <dd>{c.tags.length ? c.tags.join(", ") : "—"}</dd>
                <dt>Notes</dt>
                <dd>{c.notes ?? "—"}</dd>
                <dt>Marketing</dt>
                <dd>{c.marketing_consent ? "Agreed" : "Not agreed"}</dd>
                <dt>Reminders</dt>
                <dd>{c.reminders ? "Wanted" : "Declined"}</dd>
              </dl>
            )}
            <section class="cards" aria-label="History">
              <div class="card">
                <small>Visits</small>
                <strong data-testid="visits">{c.visit_summary.visits}</strong>
              </div>
              {c.visit_summary.spend.map((s) => (
                <div class="card" key={s.currency}>
                  <small>Spent</small>
                  <strong data-testid="spend">{money(s.amount_paid_cents, s.currency)}</strong>
                  <small>tips {money(s.tip_cents, s.currency)}</small>
                </div>
              ))}
              <div class="card">
                <small>No-shows</small>
                <strong>{c.visit_summary.no_shows}</strong>
              </div>
              <div class="card">
                <small>Late cancellations</small>
                <strong>{c.visit_summary.late_cancellations}</strong>
              </div>
              <div class="card">
                <small>Upcoming</small>
                <strong>{c.visit_summary.upcoming}</strong>
              </div>
            </section>
          </>
        )}
      </Show>
      <h2>Visits</h2>
      <Show loaded={visits} retry={reloadVisits}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No completed visits yet.</Empty>
          ) : (
            <div class="overflow-auto">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Service</th>
                    <th scope="col">Barber</th>
                    <th scope="col">Paid</th>
                    <th scope="col">Tip</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((v) => (
                    <tr key={v.appointment_id}>
                      <td>{dayAndClockIn(v.starts_at, zone)}</td>
                      <td>{v.service_name}</td>
                      <td>{v.staff_name ?? "—"}</td>
                      <td>{money(v.amount_paid_cents, v.currency)}</td>
                      <td>{money(v.tip_cents, v.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </section>
  );
}
