import { Navigate, Outlet, useLocation, type Location } from "react-router";
import { Spinner } from "../../components/Spinner";
import { useAuth } from "../../lib/session/AuthProvider";

/** Visitors without a session go to the login page, which sends them back afterwards. */
export function RequireAuth() {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "restoring") return <Spinner label="Restoring your session…" />;
  if (status === "anonymous") return <Navigate to="/login" replace state={{ from: location }} />;
  return <Outlet />;
}

/** The login and register pages: someone already logged in goes where they were headed. */
export function PublicOnly() {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "restoring") return <Spinner label="Restoring your session…" />;
  if (status === "authenticated") return <Navigate to={returnPath(location)} replace />;
  return <Outlet />;
}

/** Where to go after logging in: the page that sent the visitor here, if it is ours. */
export function returnPath(location: Location): string {
  const from = (location.state as { from?: Partial<Location> } | null)?.from;
  if (!from?.pathname || !from.pathname.startsWith("/") || from.pathname.startsWith("//")) return "/";
  if (from.pathname === "/login" || from.pathname === "/register") return "/";
  return `${from.pathname}${from.search ?? ""}${from.hash ?? ""}`;
}
