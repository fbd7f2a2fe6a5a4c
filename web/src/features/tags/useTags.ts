import { useEffect, useState } from "react";
import axios from "axios";
import { notifyError } from "../../components/notify";
import { listTags, type Tag } from "./api";

/** The tags of a workspace (the personal one when undefined), loaded again when it changes. */
export function useTags(workspaceId: string | undefined): Tag[] {
  const [tags, setTags] = useState<Tag[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    listTags(workspaceId, controller.signal)
      .then(setTags)
      .catch((error: unknown) => {
        if (!axios.isCancel(error)) notifyError(error, { context: "Could not load the tags." });
      });
    return () => controller.abort();
  }, [workspaceId]);
  return tags;
}
