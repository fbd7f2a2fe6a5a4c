import { Link } from "react-router";
import { usePageTitle } from "./usePageTitle";

export function NotFoundPage() {
  usePageTitle("Not found");
  return (
    <div className="py-5 text-center">
      <h1 className="h3">Nothing here</h1>
      <p className="text-body-secondary">This page does not exist.</p>
      <Link to="/" className="btn btn-primary">
        Go to your tasks
      </Link>
    </div>
  );
}
