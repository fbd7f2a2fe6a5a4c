import { setupServer } from "msw/node";

/** The mocked network: each test declares the handlers it needs with server.use(...). */
export const server = setupServer();
