// What every form of the app does the same way.
import { useState } from "preact/hooks";
import { describe } from "../api/problem";

/** A form's text field, trimmed (empty when absent). */
export function field(form: FormData, name: string): string {
  return String(form.get(name) ?? "").trim();
}

/** The submitted form's fields. */
export function formOf(event: Event): FormData {
  event.preventDefault();
  return new FormData(event.currentTarget as HTMLFormElement);
}

/** An action behind a form or button: busy while it runs, and its refusal in words after. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async <T>(
    call: () => Promise<{ data?: T; error?: unknown }>,
  ): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      const { data, error } = await call();
      if (data === undefined) setError(describe(error));
      return data;
    } catch (thrown) {
      setError(describe(thrown));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
