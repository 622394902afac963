#!/usr/bin/env bash
# The benchmark: barber's figures beside this machine's own Postgres ceiling, measured in the
# same run (pgbench single-row inserts on an events-shaped table). Writes bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=./target/release/barber
RUN_SECONDS=${BENCH_SECONDS:-10}
SAMPLES=${BENCH_SAMPLES:-500}
APPOINTMENTS=${BENCH_APPOINTMENTS:-100000}
PORT=${BENCH_PORT:-18080}
PSQL="psql -h 127.0.0.1 -U postgres -qtA -v ON_ERROR_STOP=1"
OUT=bench/results.md

for tool in pgbench curl /usr/bin/time; do
  if ! command -v "$tool" >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib curl time >/dev/null
    break
  fi
done

echo "bench: pgbench baseline (${RUN_SECONDS}s per run)"
$PSQL -d postgres -c "drop database if exists barber_bench_pgbench with (force)" -c "create database barber_bench_pgbench"
$PSQL -d barber_bench_pgbench <<'SQL'
create table events (
    aggregate_type text not null, aggregate_id text not null, sequence int not null,
    event_type text not null, event_version text not null, payload jsonb not null,
    metadata jsonb not null, global_position bigint generated always as identity,
    transaction_id xid8 not null default pg_current_xact_id(),
    recorded_at timestamptz not null default now(),
    primary key (aggregate_type, aggregate_id, sequence));
create index on events (transaction_id, global_position);
SQL
SCRIPT=$(mktemp)
cat > "$SCRIPT" <<'SQL'
insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
values ('customer', gen_random_uuid()::text, 1, 'CustomerRegistered', '1',
        '{"CustomerRegistered": {"pii": {"name": "Customer", "phone": "+447700900123"}}}',
        '{"tenant_id": "00000000-0000-0000-0000-000000000001", "actor": "bench"}');
SQL
pgbench_tps() {
  pgbench -h 127.0.0.1 -U postgres -n -c "$1" -j "$1" -T "$RUN_SECONDS" -f "$SCRIPT" barber_bench_pgbench 2>/dev/null \
    | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
PG1=$(pgbench_tps 1)
PG8_BEFORE=$(pgbench_tps 8)
echo "bench: pgbench 1 client ${PG1} tps, 8 clients ${PG8_BEFORE} tps (before barber's run)"

echo "bench: starting barber all on port $PORT"
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/barber_bench
RUN_ID=$(date +%s)
export EVENTS_STREAM=BARBER_BENCH_$RUN_ID
export NATS_PREFIX=bench$RUN_ID
export BIND=127.0.0.1:$PORT
export RUST_LOG=warn
$PSQL -d postgres -c "drop database if exists barber_bench with (force)"
"$BIN" all &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
# the web app in Chromium, first, on the quiet server (a shop of its own: 20 barbers, 300
# appointments today), so the browser's figures are not those of a machine still busy
echo "bench: the web app in Chromium"
WEB_REPORT=$(node bench/web.mjs "http://127.0.0.1:$PORT")
echo "bench: $WEB_REPORT"
# CPU seconds used by each party during the run: where the two cores go
HZ=$(getconf CLK_TCK)
cpu_of() { # process name -> utime+stime (and that of reaped children) of its live processes, in ticks
  local total=0
  for stat in /proc/[0-9]*/stat; do
    read -r -a f < "$stat" 2>/dev/null || continue
    [ "${f[1]}" = "($1)" ] && total=$((total + f[13] + f[14] + f[15] + f[16]))
  done
  echo "$total"
}
cpu_of_pid() { local f; read -r -a f < "/proc/$1/stat"; echo $((f[13] + f[14])); }
SERVER_BEFORE=$(cpu_of_pid "$SERVER")
PG_BEFORE=$(cpu_of postgres)
NATS_BEFORE=$(cpu_of nats-server)
WALL_START=$(date +%s%N)
CLIENT_TIMES=$(mktemp)
REPORT=$( { /usr/bin/time -f "%U %S" -o "$CLIENT_TIMES" "$BIN" bench "http://127.0.0.1:$PORT" "$RUN_SECONDS" "$SAMPLES" "$APPOINTMENTS"; } )
WALL_NS=$(( $(date +%s%N) - WALL_START ))
read -r CLIENT_USER CLIENT_SYS < "$CLIENT_TIMES"
rm -f "$CLIENT_TIMES"
CPU=$(awk -v hz="$HZ" -v wall="$WALL_NS" -v cu="$CLIENT_USER" -v cs="$CLIENT_SYS" \
  -v s="$(( $(cpu_of_pid "$SERVER") - SERVER_BEFORE ))" \
  -v p="$(( $(cpu_of postgres) - PG_BEFORE ))" -v n="$(( $(cpu_of nats-server) - NATS_BEFORE ))" \
  'BEGIN { printf "%.2f %.2f %.2f %.2f %.2f", wall / 1e9, s / hz, p / hz, n / hz, cu + cs }')
echo "bench: $REPORT"
# a rebuild of the appointments read model while the server keeps serving it; first, how busy
# the machine still is with the load's aftermath (a worker's backlog, Postgres writing out the
# pages the load dirtied), in CPU-seconds per second over two seconds
AFTER_S=$(cpu_of_pid "$SERVER"); AFTER_P=$(cpu_of postgres); sleep 2
AFTERMATH=$(awk -v hz="$HZ" -v s="$(( $(cpu_of_pid "$SERVER") - AFTER_S ))" -v p="$(( $(cpu_of postgres) - AFTER_P ))" \
  'BEGIN { printf "%.2f %.2f", s / hz / 2, p / hz / 2 }')
REBUILD_START=$(date +%s%N)
REBUILT=$("$BIN" rebuild appointments 2>/dev/null | sed -n 's/.*replayed: \([0-9]*\).*/\1/p')
REBUILD_NS=$(( $(date +%s%N) - REBUILD_START ))
echo "bench: rebuilt appointments from ${REBUILT} events in $(( REBUILD_NS / 1000000 )) ms"
# and again right after: the first rebuild after the run reads the store's pages from the OS's
# cache, and the kernel reclaims page cache for its memory; the second shows the warm rate
REBUILD_START=$(date +%s%N)
"$BIN" rebuild appointments >/dev/null 2>&1
REBUILD2_NS=$(( $(date +%s%N) - REBUILD_START ))
echo "bench: rebuilt appointments again in $(( REBUILD2_NS / 1000000 )) ms"
# and once more after a checkpoint, with the server quiet: the rebuild by itself
$PSQL -d barber_bench -c "checkpoint"
for _ in $(seq 1 60); do
  QUIET_FROM=$(cpu_of_pid "$SERVER"); sleep 1
  [ $(( $(cpu_of_pid "$SERVER") - QUIET_FROM )) -lt $(( HZ / 20 )) ] && break
done
REBUILD_START=$(date +%s%N)
"$BIN" rebuild appointments >/dev/null 2>&1
REBUILD3_NS=$(( $(date +%s%N) - REBUILD_START ))
echo "bench: rebuilt appointments after a checkpoint, the server quiet, in $(( REBUILD3_NS / 1000000 )) ms"
kill $SERVER 2>/dev/null || true
wait $SERVER 2>/dev/null || true
# the baseline moves from one run to the next: measured again right after, and the mean used
PG8_AFTER=$(pgbench_tps 8)
rm -f "$SCRIPT"
PG8=$(awk -v a="$PG8_BEFORE" -v b="$PG8_AFTER" 'BEGIN { printf "%.0f", (a + b) / 2 }')
echo "bench: pgbench 8 clients ${PG8_AFTER} tps after, mean ${PG8}"
EVENTS=$($PSQL -d barber_bench -c "select count(*) from events")
CUSTOMERS=$($PSQL -d barber_bench -c "select count(*) from customers")
BOOKED=$($PSQL -d barber_bench -c "select count(*) from events where aggregate_type = 'appointment' and event_type = 'AppointmentBooked'")
MOVES=$($PSQL -d barber_bench -c "select count(*) from events where event_type = 'AppointmentRescheduled'")
CANCELS=$($PSQL -d barber_bench -c "select count(*) from events where event_type = 'AppointmentCancelled'")
DOUBLE_BOOKED=$($PSQL -d barber_bench -c "select count(*) from events a join events b on a.aggregate_type = 'schedule' and b.aggregate_type = 'schedule' and a.aggregate_id = b.aggregate_id and a.event_type = 'SlotReserved' and b.event_type = 'SlotReserved' and a.global_position < b.global_position and (a.payload->'SlotReserved'->>'starts_at')::timestamptz < (b.payload->'SlotReserved'->>'blocked_until')::timestamptz and (b.payload->'SlotReserved'->>'starts_at')::timestamptz < (a.payload->'SlotReserved'->>'blocked_until')::timestamptz and not exists (select 1 from events r where r.aggregate_type = 'schedule' and r.aggregate_id = a.aggregate_id and r.event_type = 'SlotReleased' and r.payload->'SlotReleased'->>'reservation_id' in (a.payload->'SlotReserved'->>'reservation_id', b.payload->'SlotReserved'->>'reservation_id'))")

python3 - "$REPORT" "$PG1" "$PG8" "$EVENTS" "$CUSTOMERS" "$CPU" "$BOOKED" "$DOUBLE_BOOKED" \
  "$PG8_BEFORE" "$PG8_AFTER" "$MOVES" "$CANCELS" "$REBUILT" "$REBUILD_NS" "$REBUILD2_NS" "$WEB_REPORT" \
  "$REBUILD3_NS" "$AFTERMATH" > "$OUT" <<'PY'
import json, sys, datetime, os, platform
r = json.loads(sys.argv[1]); pg1, pg8 = float(sys.argv[2]), float(sys.argv[3])
events, customers = sys.argv[4], sys.argv[5]
wall, server, postgres, nats, client = (float(x) for x in sys.argv[6].split())
appointments, double_booked = int(sys.argv[7]), int(sys.argv[8])
pg8_before, pg8_after, moves, cancels = float(sys.argv[9]), float(sys.argv[10]), int(sys.argv[11]), int(sys.argv[12])
rebuilt, rebuild_s, rebuild2_s = int(sys.argv[13] or 0), int(sys.argv[14]) / 1e9, int(sys.argv[15]) / 1e9
web = json.loads(sys.argv[16])
rebuild3_s = int(sys.argv[17]) / 1e9
aftermath_server, aftermath_postgres = (float(x) for x in sys.argv[18].split())
b, q = r["booking"], r["reads"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"Run {datetime.date.today()} on {os.cpu_count()} cores ({cpu}), {platform.system()}. "
      f"pgbench at 8 clients measured {pg8_before:.0f} tps right before barber's run and {pg8_after:.0f} right after; "
      f"ratios at 8 clients are to their mean, {pg8:.0f}.\n")
print("| measure | barber | pgbench baseline | ratio | target |")
print("|---|---|---|---|---|")
print(f"| customer-register commands/s, 1 client | {r['register_per_second_1']:.0f} | {pg1:.0f} tps | {r['register_per_second_1']/pg1:.1%} | |")
print(f"| customer-register commands/s, 8 clients | {r['register_per_second_8']:.0f} | {pg8:.0f} tps | {r['register_per_second_8']/pg8:.1%} | ≥ 15 % |")
print(f"| read side caught up after the {r['burst_seconds']} s 8-client register burst | {r['catch_up_ms']:.0f} ms | | | ≤ 1 000 ms |")
print(f"| create-then-read with `min_position`, median | {r['read_your_write_median_ms']:.1f} ms | | | |")
print(f"| create-then-read with `min_position`, p99 | {r['read_your_write_p99_ms']:.1f} ms | | | ≤ 25 ms |")
print(f"| bookings/s, 8 clients, distinct free slots | {b['bookings_per_second_8']:.0f} | {pg8:.0f} tps | {b['bookings_per_second_8']/pg8:.1%} | ≥ 12 % |")
print(f"| reschedules/s to another day, 8 clients | {b['reschedules_per_second_8']:.0f} | {pg8:.0f} tps | {b['reschedules_per_second_8']/pg8:.1%} | ≥ half the bookings/s |")
print(f"| cancels/s (each frees its slot), 8 clients | {b['cancels_per_second_8']:.0f} | {pg8:.0f} tps | {b['cancels_per_second_8']/pg8:.1%} | |")
print(f"| hot slot, 8 clients: answers/s (all but one `409 slot_taken`) | {b['hot_slot_answers_per_second']:.0f} | | | |")
print(f"| availability of one day, any of {q['barbers']} barbers, at {q['appointments']} appointments: p50 / p99 | {q['availability_p50_ms']:.1f} / {q['availability_p99_ms']:.1f} ms | | | p99 ≤ 5 ms |")
print(f"| the same, each of the other {q['seeded_days'] - 1} seeded days read once (no day kept yet): p50 / p99 | {q['availability_first_p50_ms']:.1f} / {q['availability_first_p99_ms']:.1f} ms | | | |")
print(f"| calendar of one day, {q['barbers']} barbers' columns: p50 / p99 | {q['calendar_p50_ms']:.1f} / {q['calendar_p99_ms']:.1f} ms | | | p99 ≤ 10 ms |")
print(f"| dashboard: p50 / p99 | {q['dashboard_p50_ms']:.1f} / {q['dashboard_p99_ms']:.1f} ms | | | p99 ≤ 10 ms |")
print(f"| customer search among {q['searched_customers']} customers: p50 / p99 | {q['search_p50_ms']:.1f} / {q['search_p99_ms']:.1f} ms | | | |")
print(f"| rebuild of the appointments read model, events/s | {rebuilt / max(rebuild_s, 0.001):.0f} ({rebuilt} events in {rebuild_s:.1f} s) | | | ≥ 50 000 |")
print(f"| the same rebuild again right after (caches warm), events/s | {rebuilt / max(rebuild2_s, 0.001):.0f} ({rebuild2_s:.1f} s) | | | |")
print(f"| the same after a checkpoint, the server quiet, events/s | {rebuilt / max(rebuild3_s, 0.001):.0f} ({rebuild3_s:.1f} s) | | | |")
print(f"| web app, first page sent to a new visitor (HTML, JS, CSS, icon): gzip / as sent (brotli) | {web['first_page_gzip_bytes'] / 1024:.0f} / {web['first_page_bytes'] / 1024:.0f} kB | | | ≤ 250 kB gzip |")
print(f"| web calendar, {web['barbers']} barbers and {web['appointments']} appointments, time to interactive, median of new profiles / of warm visits | {web['calendar_interactive_cold_ms']} / {web['calendar_interactive_warm_median_ms']} ms (answer in at {web['calendar_answered_cold_ms']} / {web['calendar_answered_warm_median_ms']} ms) | | | ≤ 1 000 ms |")
print(f"\nBookings: {b['bookings_made']} answered 201 ({b['hot_slot_bookings']} of them on the hot slot, "
      f"{b['hot_slot_conflicts']} answered 409 there), {b['booking_failures']} failed; the event store holds "
      f"{appointments} booked appointments and {double_booked} overlapping live reservations "
      f"({'consistent' if appointments == b['bookings_made'] + q['appointments'] + web['appointments'] and double_booked == 0 else 'MISMATCH'}; "
      f"{web['appointments']} of them the web measurement's day, {q['appointments']} seeded for the read measurements in {q['seed_seconds']:.0f} s, {q['seed_failures']} refused, "
      f"applied by the read side {q['catch_up_seconds']:.0f} s after the seeding ended, before any read was timed). "
      f"Reschedules: {b['reschedules_made']} answered 200, {b['reschedule_failures']} failed, {moves} recorded; "
      f"cancels: {b['cancels_made']} answered 200, {b['cancel_failures']} failed, {cancels} recorded "
      f"({'consistent' if moves == b['reschedules_made'] and cancels == b['cancels_made'] else 'MISMATCH'}).")
print(f"\n{r['read_your_write_samples']} create-then-read samples, {r['stale_reads']} answered stale; "
      f"{r['errors']} failed requests; {events} events recorded, {customers} customers in the read model.")
print(f"\nRight before the first rebuild, the load's aftermath still kept barber busy for "
      f"{aftermath_server:.2f} and Postgres for {aftermath_postgres:.2f} CPU-seconds a second "
      f"(of {os.cpu_count()}); the third rebuild ran after a `CHECKPOINT`, once barber was quiet.")
capacity = wall * os.cpu_count()
print(f"\nWhere the CPU went during the {wall:.0f} s run ({os.cpu_count()} cores = {capacity:.0f} CPU-seconds):\n")
print("| process | CPU-seconds | share of the machine |")
print("|---|---|---|")
for name, secs in [("barber all (HTTP, aggregates, relay, projection, query)", server),
                   ("postgres (all backends)", postgres), ("nats-server", nats),
                   ("load generator (`barber bench`)", client)]:
    print(f"| {name} | {secs:.1f} | {secs / capacity:.0%} |")
print(f"| idle or other | {max(capacity - server - postgres - nats - client, 0):.1f} | "
      f"{max(capacity - server - postgres - nats - client, 0) / capacity:.0%} |")
PY
cat "$OUT"
