import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api/client";
import { describe } from "../api/problem";
import { ErrorNote } from "../components/load";
import { startSession } from "../session";
import { viewerZone } from "../time";

/** A booking address from the shop's name: `Fade Street` → `fade-street`, `Barbería` → `barberia`. */
export function slugOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
}

export function Signup() {
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/signup", {
      body: {
        business_name: text("business_name"),
        slug: text("slug"),
        timezone: text("timezone"),
        currency: text("currency") || null,
        country: text("country") || null,
        owner_name: text("owner_name"),
        email: text("email"),
        password: String(form.get("password")),
        owner_is_barber: form.get("owner_is_barber") === "on",
      },
    });
    setBusy(false);
    if (!data) return setError(describe(error));
    startSession(data);
    route("/", true);
  };

  return (
    <main class="container narrow">
      <h1>Open your shop</h1>
      <form onSubmit={submit}>
        <label>
          Shop name
          <input
            name="business_name"
            required
            onInput={(e) => !slugEdited && setSlug(slugOf(e.currentTarget.value))}
          />
        </label>
        <label>
          Booking address
          <input
            name="slug"
            required
            pattern="[a-z0-9]+(-[a-z0-9]+)*"
            value={slug}
            aria-describedby="slug-help"
            onInput={(e) => {
              setSlugEdited(true);
              setSlug(e.currentTarget.value);
            }}
          />
          <small id="slug-help">Customers book at /book/{slug || "your-shop"}</small>
        </label>
        <div class="grid">
          <label>
            Timezone
            <input name="timezone" required defaultValue={viewerZone()} />
          </label>
          <label>
            Currency
            <input name="currency" defaultValue="GBP" pattern="[A-Z]{3}" />
          </label>
          <label>
            Country
            <input name="country" defaultValue="GB" pattern="[A-Z]{2}" />
          </label>
        </div>
        <label>
          Your name
          <input name="owner_name" autocomplete="name" required />
        </label>
        <label>
          Email
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={10}
            required
          />
        </label>
        <label>
          <input name="owner_is_barber" type="checkbox" defaultChecked />I cut hair too (customers
          can book me)
        </label>
        <ErrorNote message={error} />
        <button type="submit" aria-busy={busy} disabled={busy}>
          Open the shop
        </button>
      </form>
      <p>
        Already open? <a href="/login">Log in</a>
      </p>
    </main>
  );
}
