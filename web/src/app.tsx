// The routes: the public booking pages for anyone, the shop's pages for a signed-in user.

import { useEffect, useState } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { Layout } from "./components/layout";
import { ShopProvider } from "./components/shop";
import { Audit } from "./pages/audit";
import { BookingPage } from "./pages/book";
import { Calendar } from "./pages/calendar";
import { CustomerProfile } from "./pages/customer";
import { Customers } from "./pages/customers";
import { Dashboard } from "./pages/dashboard";
import { Login } from "./pages/login";
import { ManageBooking } from "./pages/manage";
import { Messages } from "./pages/messages";
import { NotFound } from "./pages/not-found";
import { AcceptInvitation, ResetPassword } from "./pages/one-time-link";
import { Reports } from "./pages/reports";
import { Services } from "./pages/services";
import { Settings } from "./pages/settings";
import { Signup } from "./pages/signup";
import { Staff } from "./pages/staff";
import { currentSession, onSessionChange, type Session } from "./session";

/** Pages anyone may open; every other page is the shop's, behind a login. */
const PUBLIC = ["/login", "/signup", "/book/", "/accept-invitation", "/reset-password"];

export function App() {
  return (
    <LocationProvider>
      <Pages />
    </LocationProvider>
  );
}

function Pages() {
  const { path } = useLocation();
  if (PUBLIC.some((p) => path === p || (p.endsWith("/") && path.startsWith(p)))) {
    return (
      <Router>
        <Route path="/login" component={Login} />
        <Route path="/signup" component={Signup} />
        <Route path="/accept-invitation" component={AcceptInvitation} />
        <Route path="/reset-password" component={ResetPassword} />
        <Route path="/book/manage" component={ManageBooking} />
        <Route path="/book/:slug" component={BookingPage} />
        <Route default component={NotFound} />
      </Router>
    );
  }
  return <SignedIn />;
}

function useSession(): Session | null {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(setSession), []);
  return session;
}

/** The shop's pages: only with a session, else the login page (and back after). */
function SignedIn() {
  const session = useSession();
  const { route, url } = useLocation();
  useEffect(() => {
    if (!session) route(`/login?next=${encodeURIComponent(url)}`, true);
  }, [session, route, url]);
  if (!session) return null;
  return (
    <ShopProvider>
      <Layout>
        <Router>
          <Route path="/" component={Dashboard} />
          <Route path="/calendar" component={Calendar} />
          <Route path="/customers" component={Customers} />
          <Route path="/customers/:id" component={CustomerProfile} />
          <Route path="/staff" component={Staff} />
          <Route path="/services" component={Services} />
          <Route path="/messages" component={Messages} />
          <Route path="/reports" component={Reports} />
          <Route path="/settings" component={Settings} />
          <Route path="/audit" component={Audit} />
          <Route default component={NotFound} />
        </Router>
      </Layout>
    </ShopProvider>
  );
}
