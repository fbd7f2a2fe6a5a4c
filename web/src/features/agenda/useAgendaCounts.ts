import { useCallback, useEffect, useState } from "react";
import axios from "axios";
import { useRevalidation } from "../../lib/revalidate/useRevalidation";
import { onTasksChanged } from "../../lib/taskEvents";
import { getAgendaCounts, type AgendaCounts } from "./api";

/** The navigation's counts: read at once, after every change in this tab, and when lib/revalidate says. */
export function useAgendaCounts(enabled: boolean): AgendaCounts | null {
  const [counts, setCounts] = useState<AgendaCounts | null>(null);
  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      setCounts(await getAgendaCounts(signal));
    } catch (error) {
      // Counts are a hint: a failed read leaves the last ones (the pages say what went wrong).
      if (!axios.isCancel(error)) return;
    }
  }, []);
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- load() sets state only after its await, never synchronously (a known false positive of the rule: react/react#34905)
    void load(controller.signal);
    const stop = onTasksChanged(() => void load());
    return () => {
      controller.abort();
      stop();
    };
  }, [enabled, load]);
  useRevalidation(() => void load(), { enabled });
  return enabled ? counts : null;
}
