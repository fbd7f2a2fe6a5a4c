import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { clearAccessToken, onSessionEnded } from "../../api/client";
import { flushPendingWork } from "../../api/pendingWork";
import { notifyInfo } from "../../components/notify";
import * as authApi from "./api";
import type { Credentials, Registration, User } from "./api";
import { announceSessionEnding } from "./sessionEnd";
import { applyTheme, followSystemTheme, isThemeChoice } from "../theme/theme";

export type AuthStatus = "restoring" | "authenticated" | "anonymous";

export interface AuthContextValue {
  status: AuthStatus;
  user: User | null;
  login: (credentials: Credentials) => Promise<User>;
  register: (registration: Registration) => Promise<User>;
  logout: () => Promise<void>;
  /** The profile as the settings page last saved it. */
  updateUser: (changes: Partial<User>) => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);
const CHANNEL = "taskforge-auth";
const KEPT = " What you were typing is kept and comes back when you log in again.";

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<AuthStatus>("restoring");
  const started = useRef(false);
  const loggingOut = useRef(false);
  const channel = useRef<BroadcastChannel | null>(null);
  // For the session-ended listener, which is registered once and must see the latest status.
  const statusRef = useRef<AuthStatus>(status);
  useEffect(() => {
    statusRef.current = status;
  }, [status]);
  // Whose session ends, for the forms that keep a draft for that user's next login.
  const userRef = useRef<User | null>(user);
  useEffect(() => {
    userRef.current = user;
  }, [user]);
  // The account's theme wins over what this browser last used, once it is known (after login).
  const theme = user?.theme;
  useEffect(() => {
    if (isThemeChoice(theme)) applyTheme(theme);
  }, [theme]);
  useEffect(followSystemTheme, []);
  const keepDrafts = useCallback(() => {
    const ending = userRef.current;
    return ending ? announceSessionEnding(ending.id) : false;
  }, []);

  const becomeAnonymous = useCallback(() => {
    clearAccessToken();
    setUser(null);
    setStatus("anonymous");
  }, []);

  // On start, one refresh through the cookie restores the session, if there is one.
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    authApi
      .restoreSession()
      .then((restored) => {
        if (restored) {
          setUser(restored);
          setStatus("authenticated");
        } else {
          becomeAnonymous();
        }
      })
      .catch(becomeAnonymous);
  }, [becomeAnonymous]);

  useEffect(
    () =>
      onSessionEnded(() => {
        if (loggingOut.current) return;
        if (statusRef.current === "authenticated") {
          const kept = keepDrafts();
          notifyInfo(`Your session has ended. Log in again to continue.${kept ? KEPT : ""}`);
        }
        setStatus("anonymous");
        setUser(null);
      }),
    [keepDrafts],
  );

  // Logging out in one tab logs out every tab.
  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const current = new BroadcastChannel(CHANNEL);
    current.onmessage = (event: MessageEvent) => {
      if (event.data !== "logout") return;
      if (keepDrafts()) notifyInfo(`You were logged out in another tab.${KEPT}`);
      becomeAnonymous();
    };
    channel.current = current;
    return () => {
      current.close();
      channel.current = null;
    };
  }, [becomeAnonymous, keepDrafts]);

  const login = useCallback(async (credentials: Credentials) => {
    const loggedIn = await authApi.login(credentials);
    setUser(loggedIn);
    setStatus("authenticated");
    return loggedIn;
  }, []);

  const register = useCallback(
    async (registration: Registration) => {
      await authApi.register(registration);
      return login({ email: registration.email, password: registration.password });
    },
    [login],
  );

  const logout = useCallback(async () => {
    loggingOut.current = true;
    keepDrafts();
    try {
      await flushPendingWork();
      await authApi.logout();
    } catch {
      // The local session ends whatever the server said; the cookie expires on its own.
    } finally {
      loggingOut.current = false;
      channel.current?.postMessage("logout");
      becomeAnonymous();
    }
  }, [becomeAnonymous, keepDrafts]);

  const updateUser = useCallback((changes: Partial<User>) => {
    setUser((current) => (current ? { ...current, ...changes } : current));
  }, []);

  const value = useMemo(
    () => ({ status, user, login, register, logout, updateUser }),
    [status, user, login, register, logout, updateUser],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const context = useContext(AuthContext);
  if (!context) throw new Error("useAuth must be used inside <AuthProvider>");
  return context;
}

/** The auth context, or null outside an <AuthProvider> (components tested on their own). */
export function useOptionalAuth(): AuthContextValue | null {
  return useContext(AuthContext);
}
