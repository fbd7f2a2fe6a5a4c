import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigation } from "react-router";
import { OfflineBanner } from "../components/OfflineBanner";
import { useAuth } from "../lib/session/AuthProvider";
import { useAgendaCounts } from "../features/agenda/useAgendaCounts";
import { useGlobalShortcuts } from "../features/shortcuts/useGlobalShortcuts";
import { VerificationBanner } from "../features/verification/VerificationBanner";
import { WorkspaceSwitcher } from "../features/workspaces/WorkspaceSwitcher";

// Quick add carries the date parser (chrono-node): its own chunk, fetched when the browser is idle.
const loadQuickAdd = () => import("./QuickAddWithQueue");
const QuickAdd = lazy(() => loadQuickAdd().then((m) => ({ default: m.QuickAddWithQueue })));
const ShortcutsDialog = lazy(() =>
  import("../features/shortcuts/ShortcutsDialog").then((m) => ({ default: m.ShortcutsDialog })),
);

function Count({ value, name }: { value: number | undefined; name: string }) {
  if (value === undefined) return null;
  return (
    <span className="badge rounded-pill text-bg-light ms-1" data-testid={`count-${name}`}>
      {value}
      <span className="visually-hidden"> {value === 1 ? "task" : "tasks"}</span>
    </span>
  );
}

export function Layout() {
  const { status, user, logout } = useAuth();
  const navigation = useNavigation();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  // The menu is open on the page where it was opened: going to another page closes it.
  const [menuOpenOn, setMenuOpenOn] = useState<string | null>(null);
  const menuOpen = menuOpenOn === location.pathname;
  const signedIn = status === "authenticated";
  const counts = useAgendaCounts(signedIn);
  const [dialog, setDialog] = useState<"quick-add" | "shortcuts" | null>(null);
  useGlobalShortcuts(signedIn, { quickAdd: () => setDialog("quick-add"), help: () => setDialog("shortcuts") });

  useEffect(() => {
    if (!signedIn) return;
    const idle = window.requestIdleCallback ?? ((callback: () => void) => window.setTimeout(callback, 2_000));
    idle(() => void loadQuickAdd());
  }, [signedIn]);

  // Changes made offline are sent whatever page is open: the sender is its own chunk, loaded after login.
  useEffect(() => {
    if (!signedIn) return;
    let stop: (() => void) | undefined;
    let left = false;
    void import("../features/tasks/sendQueued").then(({ startSendingQueuedWrites }) => {
      if (!left) stop = startSendingQueuedWrites();
    });
    return () => {
      left = true;
      stop?.();
    };
  }, [signedIn]);

  // After a client-side navigation, focus goes to the new page, as after a page load.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [location.pathname]);

  return (
    <>
      <a href="#main" className="visually-hidden-focusable position-absolute top-0 start-0 m-2 btn btn-light">
        Skip to content
      </a>
      <header>
        <nav className="navbar navbar-expand-lg app-navbar" data-bs-theme="dark" aria-label="Main">
          <div className="container gap-2">
            <Link to="/" className="navbar-brand fw-semibold me-1">TaskForge</Link>
            {status === "authenticated" && (
              <>
                <ul className="navbar-nav flex-row gap-3 gap-lg-0">
                  <li className="nav-item">
                    <NavLink to="/" end className="nav-link">Tasks</NavLink>
                  </li>
                  <li className="nav-item">
                    <NavLink to="/today" className="nav-link text-nowrap">Today<Count value={counts?.today} name="today" /></NavLink>
                  </li>
                  <li className="nav-item">
                    <NavLink to="/stats" className="nav-link">Stats</NavLink>
                  </li>
                </ul>
                <button type="button" className="btn btn-warning btn-sm fw-semibold text-nowrap ms-auto order-lg-last"
                  onClick={() => setDialog("quick-add")} title="Quick add (q)" aria-keyshortcuts="q">
                  + Quick add
                </button>
                <button type="button" className="navbar-toggler px-2 py-1" aria-controls="main-menu"
                  aria-expanded={menuOpen} aria-label="More" onClick={() => setMenuOpenOn(menuOpen ? null : location.pathname)}>
                  <span className="navbar-toggler-icon" aria-hidden="true" />
                </button>
                <div id="main-menu" className={`collapse navbar-collapse gap-2 ${menuOpen ? "show pb-2" : ""}`}>
                  <ul className="navbar-nav me-auto">
                    <li className="nav-item">
                      <NavLink to="/upcoming" className="nav-link text-nowrap">Upcoming<Count value={counts?.upcoming} name="upcoming" /></NavLink>
                    </li>
                    <li className="nav-item">
                      <NavLink to="/inbox" className="nav-link text-nowrap">Inbox<Count value={counts?.inbox} name="inbox" /></NavLink>
                    </li>
                    <li className="nav-item">
                      <NavLink to="/activity" className="nav-link">Activity</NavLink>
                    </li>
                    <li className="nav-item">
                      <NavLink to="/workspaces" className="nav-link">Workspaces</NavLink>
                    </li>
                    <li className="nav-item">
                      <NavLink to="/settings" className="nav-link">Settings</NavLink>
                    </li>
                  </ul>
                  <div className="d-flex flex-wrap align-items-center gap-2">
                    <WorkspaceSwitcher />
                    <span className="navbar-text d-none d-xxl-inline text-truncate" style={{ maxWidth: "12rem" }}>
                      {user?.display_name || user?.email}
                    </span>
                    <button type="button" className="btn btn-outline-light btn-sm" onClick={() => void logout()}>
                      Log out
                    </button>
                  </div>
                </div>
              </>
            )}
          </div>
        </nav>
        <OfflineBanner />
        <VerificationBanner />
        {navigation.state === "loading" && (
          <div className="progress rounded-0" style={{ height: 3 }} role="progressbar" aria-label="Loading the page">
            <div className="progress-bar progress-bar-striped progress-bar-animated w-100" />
          </div>
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1} className="container py-3 py-md-4 outline-0">
        <Outlet />
      </main>
      {signedIn && dialog && (
        <Suspense fallback={null}>
          {dialog === "quick-add" ? (
            <QuickAdd open onClose={() => setDialog(null)} />
          ) : (
            <ShortcutsDialog open onClose={() => setDialog(null)} />
          )}
        </Suspense>
      )}
    </>
  );
}
