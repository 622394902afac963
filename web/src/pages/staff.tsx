// The staff: add a barber (or manager, front desk), and for each their details and role,
// weekly hours with breaks, the services they offer, time off, and a login of their own.
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { describe } from "../api/problem";
import { Dialog } from "../components/dialog";
import { field, formOf, useAction } from "../components/form";
import { Empty, ErrorNote, Show, useLoad } from "../components/load";
import { useShop } from "../components/shop";
import { dayAndClockIn, instantOf } from "../time";
import { HoursFields, rotaOf } from "./staff-hours";

type StaffMember = Schemas["StaffView"];
const ROLES: [string, string][] = [
  ["barber", "Barber"],
  ["manager", "Manager"],
  ["front_desk", "Front desk"],
  ["owner", "Owner"],
];
const roleWords = (role: string) => ROLES.find(([r]) => r === role)?.[1] ?? role;

function RoleSelect(props: { label: string; role: string }) {
  return (
    <label>
      {props.label}
      <select name="role" defaultValue={props.role}>
        {ROLES.map(([role, words]) => (
          <option key={role} value={role}>
            {words}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Staff() {
  const [open, setOpen] = useState<string | "new" | null>(null);
  const [loaded, reload] = useLoad(
    () => api.GET("/api/v1/staff", { params: { query: { limit: 200 } } }),
    [],
  );
  return (
    <section>
      <div class="toolbar">
        <h1>Staff</h1>
        <button type="button" onClick={() => setOpen("new")}>
          Add staff member
        </button>
      </div>
      <Show loaded={loaded} retry={reload}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No staff yet.</Empty>
          ) : (
            <div class="overflow-auto">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Contact</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((m) => (
                    <tr key={m.id}>
                      <td>
                        <button type="button" class="outline small" onClick={() => setOpen(m.id)}>
                          {m.name}
                        </button>
                      </td>
                      <td>{roleWords(m.role)}</td>
                      <td>{[m.phone, m.email].filter(Boolean).join(" · ") || "—"}</td>
                      <td>{m.active ? "Active" : "Deactivated"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
      {open === "new" && (
        <Dialog title="Add staff member" onClose={() => setOpen(null)}>
          <DetailsForm
            onSaved={(id) => {
              reload();
              setOpen(id);
            }}
          />
        </Dialog>
      )}
      {open && open !== "new" && (
        <StaffDialog
          id={open}
          onClose={() => {
            setOpen(null);
            reload();
          }}
        />
      )}
    </section>
  );
}

function DetailsForm(props: { member?: StaffMember; onSaved: (id: string) => void }) {
  const m = props.member;
  const { busy, error, run } = useAction();
  const save = async (event: Event) => {
    const form = formOf(event);
    const fields = {
      name: field(form, "name"),
      role: field(form, "role"),
      phone: field(form, "phone") || null,
      email: field(form, "email") || null,
    };
    const saved = await run(() =>
      m
        ? api.PATCH("/api/v1/staff/{id}", { params: { path: { id: m.id } }, body: fields })
        : api.POST("/api/v1/staff", { body: fields }),
    );
    if (saved) props.onSaved(m?.id ?? saved.id);
  };
  return (
    <form onSubmit={save}>
      <div class="grid">
        <label>
          Name
          <input name="name" required defaultValue={m?.name ?? ""} autocomplete="off" />
        </label>
        <RoleSelect label="Role" role={m?.role ?? "barber"} />
      </div>
      <div class="grid">
        <label>
          Phone
          <input name="phone" type="tel" defaultValue={m?.phone ?? ""} autocomplete="off" />
        </label>
        <label>
          Email
          <input name="email" type="email" defaultValue={m?.email ?? ""} autocomplete="off" />
        </label>
      </div>
      <ErrorNote message={error} />
      <button type="submit" aria-busy={busy} disabled={busy}>
        {m ? "Save details" : "Add"}
      </button>
    </form>
  );
}

/** One staff member: every part of them on one sheet, each saved on its own. */
function StaffDialog(props: { id: string; onClose: () => void }) {
  const { business } = useShop();
  const zone = business.timezone;
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [member, reload] = useLoad(
    () => api.GET("/api/v1/staff/{id}", { params: { path: { id: props.id } } }),
    [props.id],
  );
  const [services] = useLoad(
    () => api.GET("/api/v1/services", { params: { query: { limit: 200 } } }),
    [],
  );
  const path = { params: { path: { id: props.id } } };

  /** Runs one change; says it is saved, or why not. */
  const change = async (
    what: string,
    call: () => Promise<{ data?: unknown; error?: unknown }>,
  ): Promise<boolean> => {
    setNote(null);
    setError(null);
    const { data, error } = await call();
    if (data === undefined) {
      setError(describe(error));
      return false;
    }
    saved(what);
    return true;
  };

  /** Says `what` is saved and reads the member again. */
  const saved = (what: string) => {
    setNote(`${what} saved.`);
    reload();
  };

  const saveHours = (event: Event) => {
    event.preventDefault();
    const days = rotaOf(new FormData(event.currentTarget as HTMLFormElement));
    return change("Working hours", () =>
      api.PUT("/api/v1/staff/{id}/working-hours", { ...path, body: { days } }),
    );
  };

  const saveServices = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const all = form.get("all") === "on";
    const ids = form.getAll("service").map(String);
    return change("Services", () =>
      api.PUT("/api/v1/staff/{id}/services", { ...path, body: { service_ids: all ? null : ids } }),
    );
  };

  const addTimeOff = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const at = (name: string) => instantOf(`${String(form.get(name))}:00`, zone);
    const reason = String(form.get("reason") ?? "").trim();
    return change("Time off", () =>
      api.POST("/api/v1/staff/{id}/time-off", {
        ...path,
        body: { starts_at: at("from"), ends_at: at("to"), reason: reason || null },
      }),
    );
  };

  const invite = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const m = member.state === "ready" ? member.data : null;
    if (!m) return;
    setNote(null);
    setError(null);
    const { data, error } = await api.POST("/api/v1/users", {
      body: {
        email: String(form.get("email")),
        name: m.name,
        role: String(form.get("role")),
        staff_id: String(form.get("role")) === "barber" ? m.id : null,
      },
    });
    if (!data) return setError(describe(error));
    setNote(
      data.link
        ? `Invitation made: send ${m.name} this link (good until ${dayAndClockIn(
            data.link.expires_at,
            zone,
          )}): ${data.link.url}`
        : "Invitation made.",
    );
  };

  return (
    <Show loaded={member} retry={reload}>
      {(m) => (
        <Dialog title={m.name} onClose={props.onClose}>
          <p role="status">{note}</p>
          <ErrorNote message={error} />
          <details open>
            <summary>Details and role</summary>
            <DetailsForm member={m} onSaved={() => saved("Details")} />
          </details>
          <details open>
            <summary>Weekly hours</summary>
            <form onSubmit={saveHours}>
              <HoursFields hours={m.working_hours} />
              <button type="submit">Save hours</button>
            </form>
          </details>
          <details>
            <summary>Services offered</summary>
            <form onSubmit={saveServices}>
              <label>
                <input name="all" type="checkbox" defaultChecked={m.service_ids == null} />
                Every service (new ones too)
              </label>
              {services.state === "ready" &&
                services.data.items.map((s) => (
                  <label key={s.id}>
                    <input
                      name="service"
                      type="checkbox"
                      value={s.id}
                      defaultChecked={m.service_ids?.includes(s.id) ?? true}
                    />
                    {s.name}
                  </label>
                ))}
              <button type="submit">Save services</button>
            </form>
          </details>
          <details>
            <summary>Time off</summary>
            {m.time_off.length === 0 ? (
              <Empty>No time off booked.</Empty>
            ) : (
              <ul>
                {m.time_off.map((t) => (
                  <li key={t.id}>
                    {dayAndClockIn(t.starts_at, zone)} – {dayAndClockIn(t.ends_at, zone)}{" "}
                    {t.reason && <small>({t.reason})</small>}{" "}
                    <button
                      type="button"
                      class="outline small"
                      onClick={() =>
                        change("Time off", () =>
                          api.DELETE("/api/v1/staff/{id}/time-off/{time_off_id}", {
                            params: { path: { id: m.id, time_off_id: t.id } },
                          }),
                        )
                      }
                    >
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <form onSubmit={addTimeOff}>
              <div class="grid">
                <label>
                  From
                  <input name="from" type="datetime-local" step={300} required />
                </label>
                <label>
                  To
                  <input name="to" type="datetime-local" step={300} required />
                </label>
              </div>
              <label>
                Reason <small>(optional)</small>
                <input name="reason" />
              </label>
              <button type="submit">Add time off</button>
            </form>
          </details>
          <details>
            <summary>Login</summary>
            <form onSubmit={invite}>
              <div class="grid">
                <label>
                  Email
                  <input name="email" type="email" required defaultValue={m.email ?? ""} />
                </label>
                <RoleSelect
                  label="Their login's role"
                  role={m.role === "owner" ? "manager" : m.role}
                />
              </div>
              <button type="submit">Invite to log in</button>
            </form>
          </details>
          <button
            type="button"
            class="secondary"
            onClick={() =>
              change(m.active ? "Deactivation" : "Reactivation", () =>
                m.active
                  ? api.POST("/api/v1/staff/{id}/deactivate", { ...path, body: {} })
                  : api.POST("/api/v1/staff/{id}/reactivate", path),
              )
            }
          >
            {m.active ? "Deactivate" : "Reactivate"}
          </button>
        </Dialog>
      )}
    </Show>
  );
}
