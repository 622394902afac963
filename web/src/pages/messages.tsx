// What customers were told, and what is still to go: confirmations, reminders, notices of a
// move or a cancellation, "how was it?" messages, by email and SMS. A failed or skipped message
// can be sent again.
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { useAction } from "../components/form";
import { Empty, ErrorNote, Show, useLoad } from "../components/load";
import { useShop } from "../components/shop";
import { dayAndClockIn } from "../time";

type Message = Schemas["NotificationView"];

const STATUSES = ["all", "failed", "pending", "sent", "skipped", "withdrawn"] as const;
type Filter = (typeof STATUSES)[number];

const KINDS: Record<string, string> = {
  confirmation: "Confirmation",
  reminder: "Reminder",
  rescheduled: "Moved",
  cancelled: "Cancelled",
  follow_up: "How was it?",
};

/** A message's kind in words, a reminder with how long before. */
export function kindOf(message: Pick<Message, "kind" | "offset_minutes">): string {
  const kind = KINDS[message.kind] ?? message.kind;
  const offset = message.offset_minutes;
  if (message.kind !== "reminder" || offset == null) return kind;
  return offset % 60 === 0 ? `${kind}, ${offset / 60} h before` : `${kind}, ${offset} min before`;
}

export function Messages() {
  const { business } = useShop();
  const [filter, setFilter] = useState<Filter>("all");
  const { busy, error, run } = useAction();
  const [loaded, reload] = useLoad(
    () =>
      api.GET("/api/v1/notifications", {
        params: { query: { limit: 100, ...(filter === "all" ? {} : { status: filter }) } },
      }),
    [filter],
  );
  const retry = async (message: Message) => {
    const done = await run(() =>
      api.POST("/api/v1/notifications/{id}/retry", { params: { path: { id: message.id } } }),
    );
    if (done) reload();
  };
  return (
    <section>
      <div class="toolbar">
        <h1>Messages</h1>
        <label class="inline">
          Show
          <select
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value as Filter)}
            aria-label="Show messages that are"
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === "all" ? "all" : s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote message={error} />
      <Show loaded={loaded} retry={reload}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No messages here yet: they follow the bookings.</Empty>
          ) : (
            <div class="overflow-auto">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Customer</th>
                    <th scope="col">Message</th>
                    <th scope="col">By</th>
                    <th scope="col">About</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((m) => (
                    <tr key={m.id}>
                      <td>{m.customer_name ?? "(erased)"}</td>
                      <td>{kindOf(m)}</td>
                      <td>{m.channel === "sms" ? "SMS" : "Email"}</td>
                      <td>{dayAndClockIn(m.starts_at, business.timezone)}</td>
                      <td>
                        <span class={`status message-${m.status}`}>{m.status}</span>
                        {m.error && <small class="block">{m.error}</small>}
                      </td>
                      <td>
                        {m.can_retry && (
                          <button
                            type="button"
                            class="outline small"
                            disabled={busy}
                            onClick={() => retry(m)}
                          >
                            Send again
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
    </section>
  );
}
