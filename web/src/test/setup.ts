import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterAll, afterEach, beforeAll } from "vitest";
import { resetClientForTests } from "../api/client";
import { resetConnectivityForTests } from "../api/connectivity";
import { forgetEtags } from "../features/tasks/api";
import { server } from "./server";

// jsdom has no layout: scrolling is a no-op here.
window.scrollTo = () => undefined;

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  resetClientForTests();
  resetConnectivityForTests();
  forgetEtags();
});
afterAll(() => server.close());
