// The web app's measure, in Debian's Chromium against a running barber: the bytes a browser is
// sent for the first page (the login page of a new visitor) and for the calendar (as encoded on
// the wire: barber sends the build's brotli or gzip copies, `barber::web`), and the calendar's
// time to interactive for a day of 20 barbers and 300 appointments: from the navigation's start
// until every appointment is on the grid and the page's main thread is free to take a click.
// Cold is the median of three new browser profiles (nothing cached or compiled); warm, the
// median of five more visits in one profile, after a first.
// Prints one JSON object.
//
//   node bench/web.mjs http://127.0.0.1:18080      (after `make web`, with barber running)
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// the end-to-end tests' launch of Debian's Chromium (playwright-core from web/node_modules)
import { launch } from "../web/e2e/browser.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const base = process.argv[2] ?? "http://127.0.0.1:18080";
const BARBERS = 20;
const PER_BARBER = 15;
const WARM_VISITS = 5;
const COLD_PROFILES = 3;

async function call(method, path, token, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

/** A zone whose local time is about 05:00 now, so the whole working day lies ahead. */
function zoneAtFiveNow() {
  const offset = ((5 - new Date().getUTCHours() + 36) % 24) - 12;
  return { offset, zone: offset === 0 ? "UTC" : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}` };
}

/** A shop of 20 barbers working 06:00–22:00 with 15 one-hour-apart bookings each, today. */
async function shopWithAFullDay() {
  const { offset, zone } = zoneAtFiveNow();
  const stamp = Date.now();
  const owner = await call("POST", "/api/v1/signup", null, {
    business_name: `Bench Cuts ${stamp}`,
    slug: `bench-cuts-${stamp}`,
    timezone: zone,
    owner_name: "Sam Owner",
    email: `bench${stamp}@example.com`,
    password: "correct horse battery",
  });
  const token = owner.token;
  await call("PUT", "/api/v1/business/booking-policy", token, {
    min_lead_minutes: 0,
    max_advance_days: 365,
    cancellation_window_minutes: 60,
    default_buffer_minutes: 0,
    reminder_offsets_minutes: [],
  });
  const service = await call("POST", "/api/v1/services", token, {
    name: "Cut",
    duration_minutes: 30,
    price_cents: 2500,
  });
  const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((weekday) => ({
    weekday,
    start: "06:00",
    end: "22:00",
  }));
  const staff = [];
  for (let i = 0; i < BARBERS; i++) {
    const added = await call("POST", "/api/v1/staff", token, { name: `Barber ${i + 1}`, role: "barber" });
    await call("PUT", `/api/v1/staff/${added.id}/working-hours`, token, { days });
    staff.push(added.id);
  }
  // one customer per booking (a customer is never booked twice at once)
  const customers = [];
  for (let i = 0; i < BARBERS * PER_BARBER; i += 10) {
    const batch = Array.from({ length: 10 }, (_, j) =>
      call("POST", "/api/v1/customers", token, { name: `Customer ${i + j + 1}` }),
    );
    for (const added of await Promise.all(batch)) customers.push(added.id);
  }
  // today in the shop's zone, from 07:00 local, one an hour
  const local = new Date(Date.now() + offset * 3_600_000);
  const dayStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - offset * 3_600_000;
  const bookings = [];
  for (const [b, staffId] of staff.entries()) {
    for (let k = 0; k < PER_BARBER; k++) {
      bookings.push({
        customer_id: customers[b * PER_BARBER + k],
        staff_id: staffId,
        service_id: service.id,
        starts_at: new Date(dayStart + (7 + k) * 3_600_000).toISOString(),
      });
    }
  }
  let position = 0;
  for (let i = 0; i < bookings.length; i += 8) {
    const made = await Promise.all(bookings.slice(i, i + 8).map((b) => call("POST", "/api/v1/appointments", token, b)));
    for (const m of made) position = Math.max(position, m.position);
  }
  // the calendar is read once the read side has every booking, and the rest of the server's
  // work on them (the other read models, the messages planned) has had time to settle
  await call("GET", `/api/v1/calendar?date=${new Date(dayStart + 12 * 3_600_000 + offset * 3_600_000).toISOString().slice(0, 10)}&min_position=${position}`, token);
  await new Promise((settled) => setTimeout(settled, 3000));
  return owner;
}

/** Marks `window.__interactive` (ms since the navigation began) once the grid holds `count`
 * appointments and a task queued after that has run (the main thread is free), with when the
 * calendar's answer had arrived. */
function watchForGrid(count) {
  const observer = new MutationObserver(() => {
    if (document.querySelectorAll(".ec-event.appointment").length < count) return;
    observer.disconnect();
    setTimeout(() => {
      const answer = performance
        .getEntriesByType("resource")
        .find((e) => e.name.includes("/api/v1/calendar"));
      window.__interactive = { at: performance.now(), answered: answer?.responseEnd ?? 0 };
    }, 0);
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** The bytes sent for the page at `path` (bodies as encoded on the wire, API answers apart),
 * and its files. The app is one bundle, so every page's first visit sends the same files. */
async function pageWeight(context, path) {
  const page = await context.newPage();
  const sizes = [];
  page.on("requestfinished", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/api/")) return;
    sizes.push(request.sizes().then((s) => ({ path: url.pathname, bytes: s.responseBodySize })));
  });
  await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
  const files = await Promise.all(sizes);
  await page.close();
  return { bytes: files.reduce((sum, f) => sum + f.bytes, 0), files };
}

/** The same files' size as the build's gzip copies (the target is set in gzip). */
function gzipBytes(files) {
  const dist = join(root, "web", "dist");
  let total = 0;
  for (const path of new Set(files.map((f) => f.path))) {
    const file = join(dist, path === "/" ? "index.html" : path);
    if (!existsSync(file)) continue;
    total += existsSync(`${file}.gz`) ? statSync(`${file}.gz`).size : statSync(file).size;
  }
  return total;
}

async function timeToInteractive(context, count) {
  const page = await context.newPage();
  await page.addInitScript(watchForGrid, count);
  await page.goto(`${base}/calendar`, { waitUntil: "commit" });
  await page.waitForFunction(() => window.__interactive !== undefined, null, { timeout: 30_000 });
  const times = await page.evaluate(() => window.__interactive);
  await page.close();
  return times;
}

const browser = await launch();
try {
  const visitor = await browser.newContext();
  const firstPage = await pageWeight(visitor, "/");
  await visitor.close();

  const owner = await shopWithAFullDay();
  const signedIn = async () => {
    const desk = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    await desk.addInitScript(
      (session) => localStorage.setItem("barber.session", JSON.stringify(session)),
      {
        token: owner.token,
        refreshToken: owner.refresh_token,
        expiresAt: Date.now() + owner.expires_in * 1000,
      },
    );
    return desk;
  };
  const count = BARBERS * PER_BARBER;
  const median = (visits) => visits.sort((a, b) => a.at - b.at)[Math.floor(visits.length / 2)];
  // a new profile each: nothing cached, nothing compiled
  const coldVisits = [];
  for (let i = 0; i < COLD_PROFILES; i++) {
    const desk = await signedIn();
    coldVisits.push(await timeToInteractive(desk, count));
    await desk.close();
  }
  // one profile, visited again and again
  const desk = await signedIn();
  await timeToInteractive(desk, count);
  const warmVisits = [];
  for (let i = 0; i < WARM_VISITS; i++) warmVisits.push(await timeToInteractive(desk, count));
  await desk.close();
  const cold = median(coldVisits);
  const warm = median(warmVisits);
  console.log(
    JSON.stringify({
      first_page_bytes: firstPage.bytes,
      first_page_gzip_bytes: gzipBytes(firstPage.files.filter((f) => f.bytes > 0)),
      first_page_files: firstPage.files,
      barbers: BARBERS,
      appointments: count,
      calendar_interactive_cold_ms: Math.round(cold.at),
      calendar_answered_cold_ms: Math.round(cold.answered),
      calendar_interactive_cold_all_ms: coldVisits.map((v) => Math.round(v.at)),
      calendar_interactive_warm_median_ms: Math.round(warm.at),
      calendar_answered_warm_median_ms: Math.round(warm.answered),
      calendar_interactive_warm_ms: warmVisits.map((v) => Math.round(v.at)),
    }),
  );
} finally {
  await browser.close();
}
