import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import axios from "axios";
import { notifyError } from "../../components/notify";
import { useOptionalAuth } from "../session/AuthProvider";
import { useRevalidation } from "../revalidate/useRevalidation";
import { listWorkspaces, type Role, type Workspace } from "./api";

export interface WorkspaceContextValue {
  workspaces: Workspace[];
  current: Workspace | null;
  /** The workspace_id to send with lists, stats and tags; undefined for the personal one (the API's default). */
  workspaceId: string | undefined;
  role: Role;
  canEdit: boolean;
  select: (id: string) => void;
  reload: () => Promise<Workspace[]>;
  /** The caller's role in a given workspace (owner when it is not known). */
  roleIn: (workspaceId: string | undefined) => Role;
}

const fallback: WorkspaceContextValue = {
  workspaces: [],
  current: null,
  workspaceId: undefined,
  role: "owner",
  canEdit: true,
  select: () => undefined,
  reload: async () => [],
  roleIn: () => "owner",
};

const WorkspaceContext = createContext<WorkspaceContextValue>(fallback);

/** The workspaces of the logged-in user and the one being looked at (kept in memory until the page is reloaded). */
export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const status = useOptionalAuth()?.status ?? "anonymous";
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);

  const reload = useCallback(async (signal?: AbortSignal) => {
    try {
      const items = await listWorkspaces(signal);
      // The same list again (mostly a 304) leaves everything that reads the context alone.
      setWorkspaces((current) => (JSON.stringify(current) === JSON.stringify(items) ? current : items));
      return items;
    } catch (error) {
      if (!axios.isCancel(error)) notifyError(error, { context: "Could not load your workspaces." });
      return [];
    }
  }, []);

  // Logged out: forget the previous account's workspaces and choice.
  const [seenStatus, setSeenStatus] = useState(status);
  if (seenStatus !== status) {
    setSeenStatus(status);
    if (status !== "authenticated") {
      setWorkspaces([]);
      setSelectedId(null);
    }
  }

  useEffect(() => {
    if (status !== "authenticated") return;
    const controller = new AbortController();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- reload() sets state only after its await, never synchronously (a known false positive of the rule: react/react#34905)
    void reload(controller.signal);
    return () => controller.abort();
  }, [status, reload]);

  // Joined, left, renamed or another role elsewhere: read again when the page revalidates, quietly.
  useRevalidation(
    useCallback(() => {
      listWorkspaces()
        .then((items) => setWorkspaces((current) => (JSON.stringify(current) === JSON.stringify(items) ? current : items)))
        .catch(() => undefined);
    }, []),
    { enabled: status === "authenticated" },
  );

  const value = useMemo<WorkspaceContextValue>(() => {
    const current = workspaces.find((workspace) => workspace.id === selectedId) ?? workspaces[0] ?? null;
    const role = current?.role ?? "owner";
    return {
      workspaces,
      current,
      workspaceId: current && !current.personal ? current.id : undefined,
      role,
      canEdit: role !== "viewer",
      select: setSelectedId,
      reload: () => reload(),
      roleIn: (id) => workspaces.find((workspace) => workspace.id === id)?.role ?? "owner",
    };
  }, [workspaces, selectedId, reload]);

  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspaces(): WorkspaceContextValue {
  return useContext(WorkspaceContext);
}
