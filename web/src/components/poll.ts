import { useEffect } from "preact/hooks";

/** Calls `tick` every `ms` while the page is visible, and at once when it becomes visible. */
export function usePoll(tick: () => void, ms: number): void {
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === "visible" && tick(), ms);
    const onVisible = () => document.visibilityState === "visible" && tick();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [tick, ms]);
}
