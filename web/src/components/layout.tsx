// The frame of the shop's pages: the shop's name, the pages, and logging out.
import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import { api } from "../api/client";
import { currentSession, endSession } from "../session";
import { zoneNote } from "../time";
import { useShop } from "./shop";

const PAGES: [string, string][] = [
  ["/", "Dashboard"],
  ["/calendar", "Calendar"],
  ["/customers", "Customers"],
  ["/staff", "Staff"],
  ["/services", "Services"],
  ["/messages", "Messages"],
  ["/reports", "Reports"],
  ["/settings", "Settings"],
  ["/audit", "Audit"],
];

export function Layout(props: { children: ComponentChildren }) {
  const { business, me } = useShop();
  const { path } = useLocation();
  const note = zoneNote(business.timezone);
  const logOut = async () => {
    const session = currentSession();
    if (session) {
      await api.POST("/api/v1/logout", { body: { refresh_token: session.refreshToken } });
    }
    endSession();
  };
  return (
    <>
      <header class="container-fluid">
        <nav aria-label="Pages">
          <ul>
            <li>
              <strong>{business.name}</strong>
              {note && <small class="zone"> · {note}</small>}
            </li>
          </ul>
          <ul class="pages">
            {PAGES.map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={path === href ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
            <li>
              <button type="button" class="secondary outline" onClick={logOut}>
                Log out <span class="visually-hidden">{me.name}</span>
              </button>
            </li>
          </ul>
        </nav>
      </header>
      <main class="container-fluid">{props.children}</main>
    </>
  );
}
