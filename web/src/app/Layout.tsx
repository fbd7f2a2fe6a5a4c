import { useEffect, useRef } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigation } from "react-router";
import { OfflineBanner } from "../components/OfflineBanner";
import { useAuth } from "../features/auth/AuthProvider";

export function Layout() {
  const { status, user, logout } = useAuth();
  const navigation = useNavigation();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

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
        <nav className="navbar navbar-expand app-navbar" data-bs-theme="dark" aria-label="Main">
          <div className="container gap-2">
            <Link to="/" className="navbar-brand fw-semibold me-2">TaskForge</Link>
            {status === "authenticated" && (
              <>
                <ul className="navbar-nav me-auto">
                  <li className="nav-item">
                    <NavLink to="/" end className="nav-link">Tasks</NavLink>
                  </li>
                  <li className="nav-item">
                    <NavLink to="/stats" className="nav-link">Stats</NavLink>
                  </li>
                </ul>
                <span className="navbar-text d-none d-md-inline text-truncate" style={{ maxWidth: "16rem" }}>
                  {user?.display_name || user?.email}
                </span>
                <button type="button" className="btn btn-outline-light btn-sm" onClick={() => void logout()}>
                  Log out
                </button>
              </>
            )}
          </div>
        </nav>
        <OfflineBanner />
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
