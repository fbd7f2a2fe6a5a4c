import { useEffect, useRef, useState } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigation } from "react-router";
import { OfflineBanner } from "../components/OfflineBanner";
import { useAuth } from "../lib/session/AuthProvider";
import { VerificationBanner } from "../features/verification/VerificationBanner";
import { WorkspaceSwitcher } from "../features/workspaces/WorkspaceSwitcher";

export function Layout() {
  const { status, user, logout } = useAuth();
  const navigation = useNavigation();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  // The menu is open on the page where it was opened: going to another page closes it.
  const [menuOpenOn, setMenuOpenOn] = useState<string | null>(null);
  const menuOpen = menuOpenOn === location.pathname;

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
                    <NavLink to="/stats" className="nav-link">Stats</NavLink>
                  </li>
                </ul>
                <button type="button" className="navbar-toggler ms-auto px-2 py-1" aria-controls="main-menu"
                  aria-expanded={menuOpen} aria-label="More" onClick={() => setMenuOpenOn(menuOpen ? null : location.pathname)}>
                  <span className="navbar-toggler-icon" aria-hidden="true" />
                </button>
                <div id="main-menu" className={`collapse navbar-collapse gap-2 ${menuOpen ? "show pb-2" : ""}`}>
                  <ul className="navbar-nav me-auto">
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
                    <span className="navbar-text d-none d-xl-inline text-truncate" style={{ maxWidth: "12rem" }}>
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
    </>
  );
}
