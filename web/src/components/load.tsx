// Loading, empty and error states, one way on every page.
import type { ComponentChildren } from "preact";
import { useCallback, useLayoutEffect, useState } from "preact/hooks";
import { describe } from "../api/problem";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "failed"; message: string }
  | { state: "ready"; data: T };

/**
 * Runs `load` now and whenever `deps` change; `reload` runs it again. The request goes out as
 * soon as the page is in the DOM (a layout effect), not after the browser has painted it: the
 * paint of a page's frame then overlaps the request instead of delaying it.
 */
export function useLoad<T>(
  load: () => Promise<{ data?: T; error?: unknown }>,
  deps: unknown[],
): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  useLayoutEffect(() => {
    let live = true;
    load()
      .then(({ data, error }) => {
        if (!live) return;
        if (data !== undefined) setLoaded({ state: "ready", data });
        else setLoaded({ state: "failed", message: describe(error) });
      })
      .catch((error: unknown) => live && setLoaded({ state: "failed", message: describe(error) }));
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return [loaded, reload];
}

/** Shows a spinner, the error with a retry, or `children` with the data. */
export function Show<T>(props: {
  loaded: Loaded<T>;
  retry?: () => void;
  children: (data: T) => ComponentChildren;
}) {
  const { loaded } = props;
  if (loaded.state === "loading") return <p aria-busy="true">Loading…</p>;
  if (loaded.state === "failed")
    return (
      <div role="alert" class="problem">
        <p>{loaded.message}</p>
        {props.retry && (
          <button type="button" class="secondary" onClick={props.retry}>
            Try again
          </button>
        )}
      </div>
    );
  return <>{props.children(loaded.data)}</>;
}

/** What a list says when it has nothing yet. */
export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

/** A refusal or failure of an action, read out when it appears. */
export function ErrorNote(props: { message: string | null }) {
  if (!props.message) return null;
  return (
    <p role="alert" class="problem">
      {props.message}
    </p>
  );
}
