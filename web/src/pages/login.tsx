import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api/client";
import { describe } from "../api/problem";
import { ErrorNote } from "../components/load";
import { startSession } from "../session";

/** Where to go after logging in: the page that sent here, never another site. */
function nextPage(query: Record<string, string>): string {
  const next = query.next ?? "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function Login() {
  const { route, query } = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/login", {
      body: { email: String(form.get("email")), password: String(form.get("password")) },
    });
    setBusy(false);
    if (!data) return setError(describe(error));
    startSession(data);
    route(nextPage(query), true);
  };

  return (
    <main class="container narrow">
      <h1>Log in to barber</h1>
      <form onSubmit={submit}>
        <label>
          Email
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <ErrorNote message={error} />
        <button type="submit" aria-busy={busy} disabled={busy}>
          Log in
        </button>
      </form>
      <p>
        New here? <a href="/signup">Open your shop</a>
      </p>
    </main>
  );
}
