import { useEffect } from "react";
import { Navigate, Outlet, useLocation, type Location } from "react-router";
import { Spinner } from "../../components/Spinner";
import { forgetAccountTimeZone } from "../../lib/accountTimeZone";
import { forgetStoredLists } from "../../lib/revalidate/etagStore";
import { useAuth, type AuthStatus } from "../../lib/session/AuthProvider";
import { TimeZonePrompt } from "./TimeZonePrompt";

/** Without a session, nothing of the previous account's is kept: its lists, its time zone. */
function useForgetWhenLoggedOut(status: AuthStatus) {
  useEffect(() => {
    if (status !== "anonymous") return;
    forgetStoredLists();
    forgetAccountTimeZone();
  }, [status]);
}

/** Visitors without a session go to the login page, which sends them back afterwards. */
export function RequireAuth() {
  const { status } = useAuth();
  const location = useLocation();
  useForgetWhenLoggedOut(status);
  if (status === "restoring") return <Spinner label="Restoring your session…" />;
  if (status === "anonymous") return <Navigate to="/login" replace state={{ from: location }} />;
  return (
    <>
      <TimeZonePrompt />
      <Outlet />
    </>
  );
}

/** The login and register pages: someone already logged in goes where they were headed. */
export function PublicOnly() {
  const { status } = useAuth();
  const location = useLocation();
  useForgetWhenLoggedOut(status);
  if (status === "restoring") return <Spinner label="Restoring your session…" />;
  if (status === "authenticated") return <Navigate to={returnPath(location)} replace state={arrivalState(location)} />;
  return <Outlet />;
}

/** Where to go after logging in: the page that sent the visitor here, if it is ours. */
export function returnPath(location: Location): string {
  const from = (location.state as { from?: Partial<Location> } | null)?.from;
  if (!from?.pathname || !from.pathname.startsWith("/") || from.pathname.startsWith("//")) return "/";
  if (from.pathname === "/login" || from.pathname === "/register") return "/";
  return `${from.pathname}${from.search ?? ""}${from.hash ?? ""}`;
}

/** The invitation a visitor was opening when sent to log in, if any: its token. */
export function invitationToken(location: Location): string | null {
  const from = (location.state as { from?: Partial<Location> } | null)?.from;
  const match = /^\/invitations\/([^/]+)$/.exec(from?.pathname ?? "");
  return match ? decodeURIComponent(match[1]) : null;
}

/** What the page returned to after logging in or registering hears: an invitation is accepted on arrival. */
export interface ArrivalState {
  acceptInvitation?: string;
}

export function arrivalState(location: Location): ArrivalState | undefined {
  const token = invitationToken(location);
  return token ? { acceptInvitation: token } : undefined;
}
