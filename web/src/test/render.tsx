import { render } from "@testing-library/react";
import { StrictMode, type ReactElement } from "react";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { ToastContainer } from "react-toastify/unstyled";

/** Renders `element` at `path` inside a router, with the toast container. */
export function renderRoute(element: ReactElement, { path = "/", at = "/", extra = [] as RouteObject[] } = {}) {
  const router = createMemoryRouter([{ path, element }, ...extra], { initialEntries: [at] });
  const result = render(
    <>
      <RouterProvider router={router} />
      <ToastContainer />
    </>,
  );
  return { ...result, router };
}

/**
 * The whole app (auth, routes, layout) at `at`, as a visitor would open it; `strict` wraps it
 * in <StrictMode>, where React runs effects twice.
 */
export async function renderApp(at: string, { strict = false } = {}) {
  const { AuthProvider } = await import("../lib/session/AuthProvider");
  const { routes } = await import("../app/router");
  const router = createMemoryRouter(routes, { initialEntries: [at] });
  const app = (
    <AuthProvider>
      <RouterProvider router={router} />
      <ToastContainer />
    </AuthProvider>
  );
  const result = render(strict ? <StrictMode>{app}</StrictMode> : app);
  return { ...result, router };
}

/** The whole app with its workspace context, as `App` puts it together. */
export async function renderFullApp(at: string) {
  const { AuthProvider } = await import("../lib/session/AuthProvider");
  const { WorkspaceProvider } = await import("../lib/workspaces/WorkspaceContext");
  const { routes } = await import("../app/router");
  const router = createMemoryRouter(routes, { initialEntries: [at] });
  const result = render(
    <AuthProvider>
      <WorkspaceProvider>
        <RouterProvider router={router} />
      </WorkspaceProvider>
      <ToastContainer />
    </AuthProvider>,
  );
  return { ...result, router };
}
