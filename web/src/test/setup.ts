import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterAll, afterEach, beforeAll } from "vitest";
import { resetClientForTests } from "../api/client";
import { resetConnectivityForTests } from "../api/connectivity";
import { forgetEtags } from "../api/etags";
import { server } from "./server";

// findBy… and waitFor give up after 4 s instead of 1 s: a lazily loaded page can take that long to
// arrive on a busy machine. They return as soon as their condition holds.
configure({ asyncUtilTimeout: 4_000 });

// jsdom has no layout: scrolling is a no-op here.
window.scrollTo = () => undefined;
// jsdom's <dialog> has no close(): the Dialog component falls back to the open attribute.
HTMLDialogElement.prototype.close ??= function close(this: HTMLDialogElement) {
  this.removeAttribute("open");
};

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  resetClientForTests();
  resetConnectivityForTests();
  forgetEtags();
});
afterAll(() => server.close());
