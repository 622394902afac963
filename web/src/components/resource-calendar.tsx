// The calendar component (`@event-calendar/core`, MIT): one column per barber, day or week,
// drag to move. It works in wall time: every date it is given or gives back is the shop's
// local time, whatever the viewer's own zone (see `time.ts`).
import "@event-calendar/core/index.css";
import {
  createCalendar,
  destroyCalendar,
  type Calendar as Ec,
  Interaction,
  ResourceTimeGrid,
} from "@event-calendar/core";
import { useEffect, useRef } from "preact/hooks";

export type CalendarOptions = Ec.Options;

/**
 * The component's grid roles (table, rowgroup, row, cell) do not form a valid table: screen
 * readers would read a broken one. The grid is a picture for pointer users; the page beside it
 * lists the same appointments and books by form, for keyboards and screen readers.
 */
const GRID_ROLES =
  '[role="table"], [role="rowgroup"], [role="row"], [role="cell"], [role="columnheader"]';

function hideGridRoles(root: HTMLElement): void {
  for (const element of root.querySelectorAll(GRID_ROLES)) {
    element.setAttribute("role", "presentation");
    for (const name of ["aria-colindex", "aria-rowindex", "aria-colspan", "aria-rowspan"]) {
      element.removeAttribute(name);
    }
  }
}

export function ResourceCalendar(props: { options: CalendarOptions }) {
  const target = useRef<HTMLDivElement>(null);
  const calendar = useRef<Ec | null>(null);
  // what the calendar was last given: only what changes is set again (each setting redraws)
  const given = useRef<CalendarOptions>({});
  useEffect(() => {
    const root = target.current;
    if (!root) return;
    calendar.current = createCalendar(root, [ResourceTimeGrid, Interaction], props.options);
    given.current = props.options;
    hideGridRoles(root);
    const observer = new MutationObserver(() => hideGridRoles(root));
    observer.observe(root, { subtree: true, childList: true, attributeFilter: ["role"] });
    return () => {
      observer.disconnect();
      if (calendar.current) destroyCalendar(calendar.current);
      calendar.current = null;
    };
    // created once; later options are set below
  }, []);
  useEffect(() => {
    const ec = calendar.current;
    if (!ec || props.options === given.current) return;
    const before = given.current as Record<string, unknown>;
    for (const [key, value] of Object.entries(props.options)) {
      if (before[key] !== value) ec.setOption(key as keyof Ec.Options, value as never);
    }
    given.current = props.options;
  }, [props.options]);
  return <div ref={target} class="resource-calendar" />;
}
