// The service catalog: create, edit (name, category, duration, buffer), change the price, retire.
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { describe } from "../api/problem";
import { Dialog } from "../components/dialog";
import { Empty, ErrorNote, Show, useLoad } from "../components/load";
import { useShop } from "../components/shop";
import { money } from "../time";

type Service = Schemas["ServiceView"];

/** `25.50` → 2550 minor units. */
export function centsOf(text: string): number {
  return Math.round(Number(text) * 100);
}

export function Services() {
  const [retired, setRetired] = useState(false);
  const [editing, setEditing] = useState<Service | "new" | null>(null);
  const [loaded, reload] = useLoad(
    () =>
      api.GET("/api/v1/services", {
        params: { query: { limit: 200, ...(retired ? { include_retired: true } : {}) } },
      }),
    [retired],
  );
  return (
    <section>
      <div class="toolbar">
        <h1>Services</h1>
        <label class="inline">
          <input
            type="checkbox"
            checked={retired}
            onChange={(e) => setRetired(e.currentTarget.checked)}
          />
          Show retired
        </label>
        <button type="button" onClick={() => setEditing("new")}>
          Add service
        </button>
      </div>
      <Show loaded={loaded} retry={reload}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No services yet: add the first one customers can book.</Empty>
          ) : (
            <div class="overflow-auto">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">Category</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Buffer</th>
                    <th scope="col">Price</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((s) => (
                    <tr key={s.id}>
                      <td>
                        {s.name} {!s.active && <small>(retired)</small>}
                      </td>
                      <td>{s.category ?? "—"}</td>
                      <td>{s.duration_minutes} min</td>
                      <td>{s.applied_buffer_minutes} min</td>
                      <td>{money(s.price_cents, s.currency)}</td>
                      <td>
                        {s.active && (
                          <button
                            type="button"
                            class="outline small"
                            onClick={() => setEditing(s)}
                            aria-label={`Edit ${s.name}`}
                          >
                            Edit
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
      {editing && (
        <ServiceDialog
          service={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
    </section>
  );
}

function ServiceDialog(props: { service?: Service; onClose: () => void; onSaved: () => void }) {
  const { business } = useShop();
  const s = props.service;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const fields = {
      name: text("name"),
      category: text("category") || null,
      duration_minutes: Number(text("duration")),
      buffer_minutes: Number(text("buffer") || 0),
    };
    const price = centsOf(text("price"));
    setBusy(true);
    setError(null);
    let failed: unknown = null;
    if (!s) {
      const created = await api.POST("/api/v1/services", {
        body: { ...fields, price_cents: price },
      });
      if (!created.data) failed = created.error ?? "failed";
    } else {
      const id = { params: { path: { id: s.id } } };
      const changed = await api.PATCH("/api/v1/services/{id}", { ...id, body: fields });
      if (!changed.data) failed = changed.error ?? "failed";
      else if (price !== s.price_cents) {
        const priced = await api.PUT("/api/v1/services/{id}/price", {
          ...id,
          body: { price_cents: price },
        });
        if (!priced.data) failed = priced.error ?? "failed";
      }
    }
    setBusy(false);
    if (failed) setError(describe(failed));
    else props.onSaved();
  };

  const retire = async () => {
    if (!s) return;
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/services/{id}/retire", {
      params: { path: { id: s.id } },
    });
    setBusy(false);
    if (data) props.onSaved();
    else setError(describe(error));
  };

  return (
    <Dialog title={s ? `Edit ${s.name}` : "Add service"} onClose={props.onClose}>
      <form onSubmit={save}>
        <label>
          Name
          <input name="name" required defaultValue={s?.name ?? ""} />
        </label>
        <label>
          Category <small>(optional, e.g. Hair, Beard)</small>
          <input name="category" defaultValue={s?.category ?? ""} />
        </label>
        <div class="grid">
          <label>
            Duration (minutes)
            <input
              name="duration"
              type="number"
              min="5"
              max="480"
              step="5"
              required
              defaultValue={String(s?.duration_minutes ?? 30)}
            />
          </label>
          <label>
            Buffer after (minutes)
            <input
              name="buffer"
              type="number"
              min="0"
              max="120"
              step="5"
              defaultValue={String(s?.buffer_minutes ?? 0)}
            />
          </label>
          <label>
            Price ({s?.currency ?? business.currency})
            <input
              name="price"
              type="number"
              min="0"
              step="0.01"
              required
              defaultValue={((s?.price_cents ?? 0) / 100).toFixed(2)}
            />
          </label>
        </div>
        <ErrorNote message={error} />
        <div class="actions">
          <button type="submit" aria-busy={busy} disabled={busy}>
            {s ? "Save" : "Add service"}
          </button>
          {s && (
            <button type="button" class="secondary" disabled={busy} onClick={retire}>
              Retire
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
