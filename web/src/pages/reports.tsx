// Reports: revenue (by day, week, month, barber or service), utilization, retention and
// no-shows over a range, as a chart with the table beside, and each as CSV.
import { useState } from "preact/hooks";
import { api, freshToken } from "../api/client";
import { describe } from "../api/problem";
import { BarChart } from "../components/bar-chart";
import { Empty, ErrorNote, Show, useLoad } from "../components/load";
import { useShop } from "../components/shop";
import { money, todayIn } from "../time";

type Kind = "revenue" | "utilization" | "retention" | "no-shows";
type GroupBy = "day" | "week" | "month" | "staff" | "service";
type Table = { head: string[]; rows: string[][]; labels: string[]; values: number[]; unit: string };

const KINDS: [Kind, string][] = [
  ["revenue", "Revenue"],
  ["utilization", "Utilization"],
  ["retention", "Retention"],
  ["no-shows", "No-shows"],
];
const percent = (bp: number | null | undefined) => (bp == null ? "—" : `${(bp / 100).toFixed(1)}%`);

export function Reports() {
  const { business } = useShop();
  const today = todayIn(business.timezone);
  const [kind, setKind] = useState<Kind>("revenue");
  const [groupBy, setGroupBy] = useState<GroupBy>("day");
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [csvError, setCsvError] = useState<string | null>(null);
  const range = { from, to };

  const [table, reload] = useLoad<Table>(async () => {
    if (kind === "revenue") {
      const { data, error } = await api.GET("/api/v1/reports/revenue", {
        params: { query: { ...range, group_by: groupBy } },
      });
      if (!data || typeof data === "string") return { error };
      return {
        data: {
          head: ["", "Visits", "Paid", "Tips"],
          rows: data.rows.map((r) => [
            r.name ?? r.key,
            String(r.visits),
            money(r.amount_paid_cents, r.currency),
            money(r.tip_cents, r.currency),
          ]),
          labels: data.rows.map((r) => r.name ?? r.key),
          values: data.rows.map((r) => r.amount_paid_cents / 100),
          unit: business.currency,
        },
      };
    }
    if (kind === "utilization") {
      const { data, error } = await api.GET("/api/v1/reports/utilization", {
        params: { query: range },
      });
      if (!data || typeof data === "string") return { error };
      return {
        data: {
          head: ["Barber", "Working hours", "Booked hours", "Utilization"],
          rows: data.rows.map((r) => [
            r.staff_name ?? "—",
            (r.working_minutes / 60).toFixed(1),
            (r.booked_minutes / 60).toFixed(1),
            percent(r.utilization_bp),
          ]),
          labels: data.rows.map((r) => r.staff_name ?? "—"),
          values: data.rows.map((r) => (r.utilization_bp ?? 0) / 100),
          unit: "%",
        },
      };
    }
    if (kind === "retention") {
      const { data, error } = await api.GET("/api/v1/reports/retention", {
        params: { query: range },
      });
      if (!data || typeof data === "string") return { error };
      return {
        data: {
          head: ["Month", "Customers", "New", "Returning", "Rebooked 30 d", "60 d", "90 d"],
          rows: data.rows.map((r) => [
            r.month,
            String(r.customers),
            String(r.new_customers),
            String(r.returning_customers),
            percent(r.rebooked_30d_bp),
            percent(r.rebooked_60d_bp),
            percent(r.rebooked_90d_bp),
          ]),
          labels: data.rows.map((r) => r.month),
          values: data.rows.map((r) => r.rebooked_30d_bp / 100),
          unit: "% rebooked in 30 days",
        },
      };
    }
    const { data, error } = await api.GET("/api/v1/reports/no-shows", { params: { query: range } });
    if (!data || typeof data === "string") return { error };
    return {
      data: {
        head: ["", "Came due", "No-shows", "Rate", "Late cancellations"],
        rows: data.rows.map((r) => [
          `${r.name ?? "—"} (${r.by === "staff" ? "barber" : "service"})`,
          String(r.due),
          String(r.no_shows),
          percent(r.no_show_rate_bp),
          String(r.late_cancellations),
        ]),
        labels: data.rows.map((r) => r.name ?? "—"),
        values: data.rows.map((r) => (r.no_show_rate_bp ?? 0) / 100),
        unit: "% no-shows",
      },
    };
  }, [kind, groupBy, from, to]);

  /** The same report as CSV, saved by the browser. */
  const downloadCsv = async () => {
    setCsvError(null);
    const query = new URLSearchParams({
      from,
      to,
      ...(kind === "revenue" ? { group_by: groupBy } : {}),
    });
    const response = await fetch(`/api/v1/reports/${kind}?${query}`, {
      headers: { accept: "text/csv", authorization: `Bearer ${(await freshToken()) ?? ""}` },
    });
    if (!response.ok) return setCsvError(describe(await response.json().catch(() => null)));
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = `${kind}-${from}-${to}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <section>
      <div class="toolbar">
        <h1>Reports</h1>
        <button type="button" class="outline" onClick={downloadCsv}>
          Download CSV
        </button>
      </div>
      <div class="grid">
        <label>
          Report
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
            {KINDS.map(([k, words]) => (
              <option key={k} value={k}>
                {words}
              </option>
            ))}
          </select>
        </label>
        {kind === "revenue" && (
          <label>
            By
            <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as GroupBy)}>
              <option value="day">Day</option>
              <option value="week">Week</option>
              <option value="month">Month</option>
              <option value="staff">Barber</option>
              <option value="service">Service</option>
            </select>
          </label>
        )}
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
      </div>
      <ErrorNote message={csvError} />
      <Show loaded={table} retry={reload}>
        {(t) =>
          t.rows.length === 0 ? (
            <Empty>Nothing in this range yet.</Empty>
          ) : (
            <div class="report">
              <BarChart labels={t.labels} values={t.values} unit={t.unit} />
              <div class="overflow-auto">
                <table>
                  <thead>
                    <tr>
                      {t.head.map((h) => (
                        <th key={h} scope="col">
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {t.rows.map((row) => (
                      <tr key={row.join("|")}>
                        {row.map((cell, n) => (
                          <td key={n}>{cell}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          )
        }
      </Show>
    </section>
  );
}
