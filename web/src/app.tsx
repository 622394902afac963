// The routes: the public booking pages for anyone, the shop's pages for a signed-in user.

import { useEffect, useState } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { Layout } from "./components/layout";
import { ShopProvider } from "./components/shop";
import { Calendar } from "./pages/calendar";
import { CustomerProfile } from "./pages/customer";
import { Customers } from "./pages/customers";
import { Dashboard } from "./pages/dashboard";
import { Login } from "./pages/login";
import { NotFound } from "./pages/not-found";
import { Services } from "./pages/services";
import { Signup } from "./pages/signup";
import { Staff } from "./pages/staff";
import { currentSession, onSessionChange, type Session } from "./session";

/** Pages anyone may open; every other page is the shop's, behind a login. */
const PUBLIC = ["/login", "/signup", "/book/"];

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
          <Route default component={NotFound} />
        </Router>
      </Layout>
    </ShopProvider>
  );
}
