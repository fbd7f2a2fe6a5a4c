import { isRouteErrorResponse, Link, useRouteError } from "react-router";
import { usePageTitle } from "./usePageTitle";

/** Shown instead of a page that failed to load or to render. */
export function RouteError() {
  usePageTitle("Something went wrong");
  const error = useRouteError();
  // A new version was deployed and this page's code is gone: a reload fetches the new one.
  const stale = error instanceof TypeError && /dynamically imported module|Importing a module script failed/i.test(error.message);
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <main className="container py-5 text-center">
      <h1 className="h3">{notFound ? "Nothing here" : "Something went wrong"}</h1>
      <p className="text-body-secondary">
        {stale
          ? "TaskForge has been updated. Reload the page to get the new version."
          : notFound
            ? "This page does not exist."
            : "This page could not be shown. Reloading usually helps."}
      </p>
      <div className="d-flex justify-content-center gap-2">
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          Reload
        </button>
        <Link to="/" className="btn btn-outline-secondary" reloadDocument>
          Go to your tasks
        </Link>
      </div>
    </main>
  );
}
