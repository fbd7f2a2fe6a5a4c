import { useState } from "react";
import { RouterProvider } from "react-router";
import { ToastContainer } from "react-toastify/unstyled";
import { AuthProvider } from "../lib/session/AuthProvider";
import { WorkspaceProvider } from "../lib/workspaces/WorkspaceContext";
import { createRouter } from "./router";

export function App() {
  const [router] = useState(createRouter);
  return (
    <AuthProvider>
      <WorkspaceProvider>
        <RouterProvider router={router} />
      </WorkspaceProvider>
      <ToastContainer position="bottom-center" newestOnTop limit={4} />
    </AuthProvider>
  );
}
