// The signing secret rotated under a signed-in desk: the next request's token is refused, the
// app renews its session with the refresh token and sends the request again, and the person at
// the desk never sees the login page. Driven by a test that restarts barber with a new
// `JWT_SECRET` on the same address between the two halves:
//
//   node e2e/rotation.mjs http://127.0.0.1:PORT   (prints ROTATE, then waits for a line on stdin)
import { createInterface } from "node:readline";
import { launch } from "./browser.mjs";

const base = process.argv[2] ?? "http://127.0.0.1:8080";
const stamp = Date.now();
const email = `rotation${stamp}@example.com`;
const password = "correct-horse-battery";

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

const browser = await launch();
try {
  const signedUp = await fetch(`${base}/api/v1/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      business_name: `Rotation Cuts ${stamp}`,
      slug: `rotation-${stamp}`,
      timezone: "Europe/London",
      owner_name: "Sam Owner",
      email,
      password,
    }),
  });
  check(signedUp.status === 201, `signup answered ${signedUp.status}`);

  const page = await browser.newPage();
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  const before = await page.evaluate(() => JSON.parse(localStorage.getItem("barber.session")));

  // the server restarts with a new secret
  console.log("ROTATE");
  const lines = createInterface({ input: process.stdin });
  for await (const _line of lines) break;

  const refused = await fetch(`${base}/api/v1/services`, {
    headers: { authorization: `Bearer ${before.token}` },
  });
  check(refused.status === 401, `the old token is still taken (${refused.status})`);

  let renewals = 0;
  page.on("request", (request) => {
    if (request.url().endsWith("/api/v1/token/refresh")) renewals += 1;
  });
  await page.getByRole("link", { name: "Services" }).click();
  await page.getByText("No services yet").waitFor();
  check(!page.url().endsWith("/login"), "the desk was sent to the login page");
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem("barber.session")));
  check(after && after.token !== before.token, "the session was not renewed");
  check(renewals === 1, `renewed ${renewals} times`);

  // and the renewed session goes on working
  await page.getByRole("link", { name: "Customers" }).click();
  await page.getByText("No customers yet.").waitFor();
  console.log("the desk stayed signed in through the rotation");
} finally {
  await browser.close();
}
