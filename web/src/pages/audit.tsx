// The audit: one record's history (who did what, when, in what request) and the record as it
// was at a chosen moment, folded from its events by the same rules the shop runs on.

import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, type Schemas } from "../api/client";
import { Empty, Show, useLoad } from "../components/load";
import { useShop } from "../components/shop";
import { dayAndClockIn, instantOf } from "../time";

const KINDS = ["appointment", "customer", "staff", "service", "business", "account", "schedule"];

export function Audit() {
  const { query, route } = useLocation();
  const { business } = useShop();
  const zone = business.timezone;
  const kind = query.type ?? "appointment";
  const id = query.id ?? "";
  // empty: as it is now
  const [asOf, setAsOf] = useState("");

  const show = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const next = new URLSearchParams({
      type: String(form.get("type")),
      id: String(form.get("id")).trim(),
    });
    route(`/audit?${next}`);
  };

  return (
    <section>
      <h1>Audit</h1>
      <form onSubmit={show} class="grid">
        <label>
          Kind of record
          <select name="type" defaultValue={kind}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Its id
          <input name="id" required defaultValue={id} autocomplete="off" />
        </label>
        <button type="submit">Show history</button>
      </form>
      {id && <History kind={kind} id={id} zone={zone} />}
      {id && (
        <article>
          <h2>As it was</h2>
          <label>
            At <small>(empty: now)</small>
            <input
              type="datetime-local"
              value={asOf}
              onChange={(e) => setAsOf(e.currentTarget.value)}
            />
          </label>
          <State kind={kind} id={id} asOf={asOf ? instantOf(`${asOf}:00`, zone) : null} />
        </article>
      )}
    </section>
  );
}

function History(props: { kind: string; id: string; zone: string }) {
  const [loaded, reload] = useLoad(
    () =>
      api.GET("/api/v1/audit/streams/{aggregate_type}/{id}", {
        params: { path: { aggregate_type: props.kind, id: props.id }, query: { limit: 200 } },
      }),
    [props.kind, props.id],
  );
  return (
    <article>
      <h2>History</h2>
      <Show loaded={loaded} retry={reload}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No events.</Empty>
          ) : (
            <ol class="timeline">
              {page.items.map((e: Schemas["AuditEvent"]) => (
                <li key={e.sequence}>
                  <strong>{e.event_type}</strong> · {dayAndClockIn(e.recorded_at, props.zone)} · by{" "}
                  {e.actor ?? "unknown"}{" "}
                  <small>
                    (#{e.sequence}, position {e.global_position})
                  </small>
                  <details>
                    <summary>What was recorded</summary>
                    <pre>{JSON.stringify(e.payload, null, 2)}</pre>
                    <small>
                      request {e.correlation_id ?? "—"} · caused by {e.causation_id ?? "—"}
                    </small>
                  </details>
                </li>
              ))}
            </ol>
          )
        }
      </Show>
    </article>
  );
}

/** The record at `asOf`, or now when `null`. */
function State(props: { kind: string; id: string; asOf: string | null }) {
  const [loaded, reload] = useLoad(
    () =>
      api.GET("/api/v1/audit/streams/{aggregate_type}/{id}/state", {
        params: {
          path: { aggregate_type: props.kind, id: props.id },
          query: { as_of: props.asOf ?? new Date().toISOString() },
        },
      }),
    [props.kind, props.id, props.asOf],
  );
  return (
    <Show loaded={loaded} retry={reload}>
      {(s) => (
        <>
          <p>
            After event #{s.sequence}
            {s.personal_data_erased && " (the customer's personal data is erased)"}
          </p>
          <pre data-testid="state">{JSON.stringify(s.state, null, 2)}</pre>
        </>
      )}
    </Show>
  );
}
