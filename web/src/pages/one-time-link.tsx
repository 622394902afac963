// The pages a one-time link opens (`#token=…` in the fragment, never sent to a server): accept
// an invitation, or reset a forgotten password. Both choose a password and sign in.
import { useLocation } from "preact-iso";
import { api } from "../api/client";
import { formOf, useAction } from "../components/form";
import { ErrorNote } from "../components/load";
import { startSession } from "../session";
import { tokenOf } from "./manage";

function PasswordPage(props: { title: string; action: string; invitation: boolean }) {
  const { route } = useLocation();
  const { busy, error, setError, run } = useAction();
  const token = tokenOf(window.location.hash);

  const submit = async (event: Event) => {
    const form = formOf(event);
    const password = String(form.get("password") ?? "");
    if (password !== String(form.get("again") ?? "")) {
      setError("The two passwords differ");
      return;
    }
    const body = { token, password };
    const session = await run(() =>
      props.invitation
        ? api.POST("/api/v1/invitations/accept", { body })
        : api.POST("/api/v1/password/reset", { body }),
    );
    if (session) {
      startSession(session);
      route("/", true);
    }
  };

  return (
    <main class="container narrow">
      <h1>{props.title}</h1>
      {!token ? (
        <p role="alert" class="problem">
          This page needs the link you were sent, whole: open it again from the message.
        </p>
      ) : (
        <form onSubmit={submit}>
          <label>
            New password <small>(at least 10 characters)</small>
            <input
              name="password"
              type="password"
              autocomplete="new-password"
              minLength={10}
              required
            />
          </label>
          <label>
            The same again
            <input name="again" type="password" autocomplete="new-password" required />
          </label>
          <ErrorNote message={error} />
          <button type="submit" aria-busy={busy} disabled={busy}>
            {props.action}
          </button>
        </form>
      )}
    </main>
  );
}

export function AcceptInvitation() {
  return (
    <PasswordPage title="Join your shop on barber" action="Set password and log in" invitation />
  );
}

export function ResetPassword() {
  return <PasswordPage title="Choose a new password" action="Save and log in" invitation={false} />;
}
