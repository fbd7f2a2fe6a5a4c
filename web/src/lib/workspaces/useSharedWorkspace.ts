import { useCallback, useEffect, useState } from "react";
import { useRevalidation } from "../revalidate/useRevalidation";
import { countMembers } from "./api";
import { useWorkspaces } from "./WorkspaceContext";

/**
 * Whether a workspace has more than one member: only then can someone else change what is on
 * screen, and only then is it polled. `undefined` is the personal workspace, as in the lists.
 * Counted again whenever the page revalidates, since people join and leave.
 */
export function useSharedWorkspace(workspaceId: string | undefined): boolean {
  const { workspaces } = useWorkspaces();
  // Only a workspace of the caller's list that is not the personal one can have other members.
  const known = workspaces.find((workspace) => workspace.id === workspaceId);
  const candidate = known && !known.personal ? known.id : undefined;
  const [counted, setCounted] = useState<{ id: string; members: number } | null>(null);
  const [asks, setAsks] = useState(0);

  useEffect(() => {
    if (!candidate) return;
    const controller = new AbortController();
    countMembers(candidate, controller.signal)
      .then((members) => setCounted({ id: candidate, members }))
      .catch(() => undefined); // not shared as far as known: no polling, the other triggers still work
    return () => controller.abort();
  }, [candidate, asks]);

  useRevalidation(useCallback(() => setAsks((count) => count + 1), []), { enabled: Boolean(candidate) });
  return candidate !== undefined && counted !== null && counted.id === candidate && counted.members > 1;
}
