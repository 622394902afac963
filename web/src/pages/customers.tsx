// Customers: search as you type (name, phone or email), add one, open a profile.

import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api/client";
import { Dialog } from "../components/dialog";
import { Empty, Show, useLoad } from "../components/load";
import { CustomerForm } from "./customer-form";

export function Customers() {
  const { route } = useLocation();
  const [q, setQ] = useState("");
  const [adding, setAdding] = useState(false);
  const [loaded, reload] = useLoad(
    () =>
      api.GET("/api/v1/customers", {
        params: { query: { limit: 50, ...(q.trim() ? { q: q.trim() } : {}) } },
      }),
    [q],
  );
  return (
    <section>
      <div class="toolbar">
        <h1>Customers</h1>
        <button type="button" onClick={() => setAdding(true)}>
          Add customer
        </button>
      </div>
      <label>
        Search by name, phone or email
        <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      </label>
      <Show loaded={loaded} retry={reload}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{q ? "Nobody matches." : "No customers yet."}</Empty>
          ) : (
            <div class="overflow-auto">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Phone</th>
                    <th scope="col">Email</th>
                    <th scope="col">Tags</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <a href={`/customers/${c.id}`}>{c.name ?? "Erased customer"}</a>
                      </td>
                      <td>{c.phone}</td>
                      <td>{c.email}</td>
                      <td>{c.tags.join(", ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
      {adding && (
        <Dialog title="Add customer" onClose={() => setAdding(false)}>
          <CustomerForm onSaved={(id) => route(`/customers/${id}`)} />
        </Dialog>
      )}
    </section>
  );
}
