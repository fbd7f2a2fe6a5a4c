import { createBrowserRouter } from "react-router";
import { NotFoundPage } from "../components/NotFoundPage";
import { RouteError } from "../components/RouteError";
import { Spinner } from "../components/Spinner";
import { PublicOnly, RequireAuth } from "../features/auth/RouteGuards";
import { Layout } from "./Layout";

// Every page is its own chunk: the first load carries only the shell.
export const routes = [
  {
    element: <Layout />,
    hydrateFallbackElement: <Spinner />,
    errorElement: <RouteError />,
    children: [
      {
        element: <PublicOnly />,
        children: [
          { path: "login", lazy: () => import("../features/auth/LoginPage").then((m) => ({ Component: m.LoginPage })) },
          {
            path: "register",
            lazy: () => import("../features/auth/RegisterPage").then((m) => ({ Component: m.RegisterPage })),
          },
          {
            path: "forgot-password",
            lazy: () => import("../features/auth/ForgotPasswordPage").then((m) => ({ Component: m.ForgotPasswordPage })),
          },
        ],
      },
      {
        element: <RequireAuth />,
        children: [
          { index: true, lazy: () => import("./pages/TasksPage").then((m) => ({ Component: m.TasksPage })) },
          {
            path: "tasks/:taskId",
            lazy: () => import("./pages/TaskDetailPage").then((m) => ({ Component: m.TaskDetailPage })),
          },
          ...(["today", "upcoming", "inbox"] as const).map((view) => ({
            path: view,
            lazy: () => import("./pages/AgendaRoute").then((m) => ({ Component: () => <m.AgendaRoute view={view} /> })),
          })),
          { path: "stats", lazy: () => import("../features/stats/StatsPage").then((m) => ({ Component: m.StatsPage })) },
          {
            path: "workspaces",
            lazy: () => import("../features/workspaces/WorkspacesPage").then((m) => ({ Component: m.WorkspacesPage })),
          },
          {
            path: "workspaces/members",
            lazy: () => import("../features/workspaces/MembersPage").then((m) => ({ Component: m.MembersPage })),
          },
          {
            path: "invitations/:token",
            lazy: () => import("./pages/InvitationPage").then((m) => ({ Component: m.InvitationPage })),
          },
          {
            path: "activity",
            lazy: () => import("../features/activity/ActivityPage").then((m) => ({ Component: m.ActivityPage })),
          },
          {
            path: "settings",
            lazy: () => import("./pages/SettingsRoute").then((m) => ({ Component: m.SettingsRoute })),
          },
        ],
      },
      // Opened from an e-mail, logged in or not: the link's token is the credential.
      {
        path: "verify-email",
        lazy: () => import("../features/verification/VerifyEmailPage").then((m) => ({ Component: m.VerifyEmailPage })),
      },
      {
        path: "reset-password/:token",
        lazy: () => import("../features/auth/ResetPasswordPage").then((m) => ({ Component: m.ResetPasswordPage })),
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
