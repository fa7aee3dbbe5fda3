"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { api, apiClient, toApiError, type TokenPair } from "@/lib/api-client";
import type { components } from "@/lib/api-types";

export type User = components["schemas"]["UserOut"];
/** "unreachable": the session could not be restored because the API did not answer (it is kept). */
export type AuthStatus = "loading" | "authenticated" | "anonymous" | "unreachable";

interface AuthValue {
  status: AuthStatus;
  user: User | null;
  login(email: string, password: string): Promise<User>;
  logout(): Promise<void>;
  /** Forget the session locally (after the account was deleted, for instance). */
  clear(): void;
  /** Try again to restore the session from the refresh cookie (after "unreachable"). */
  restore(): void;
  setUser(user: User): void;
}

const AuthContext = createContext<AuthValue | null>(null);
const CHANNEL = "meterbook-auth";

function broadcast(message: string) {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(message);
  channel.close();
}

/** The session: the access token lives in the API client's memory only; the refresh token is an httpOnly cookie. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>("loading");
  const [user, setUserState] = useState<User | null>(null);

  const clear = useCallback(() => {
    apiClient.setToken(null);
    setUserState(null);
    setStatus("anonymous");
  }, []);

  const adopt = useCallback((pair: TokenPair) => {
    apiClient.setToken(pair.access_token);
    setUserState(pair.user);
    setStatus("authenticated");
  }, []);

  const restore = useCallback(() => {
    setStatus((now) => (now === "unreachable" ? "loading" : now));
    apiClient.refreshSession().catch(async (err: unknown) => {
      if (apiClient.getToken()) return;
      const error = await toApiError(err);
      // Only the API refusing the cookie ends the session; a server that is down or failing does not.
      if (error.status === 0 || error.status === 429 || error.status >= 500) setStatus("unreachable");
      else clear();
    });
  }, [clear]);

  useEffect(() => {
    const offSession = apiClient.onSession(adopt);
    const offExpired = apiClient.onSessionExpired(clear);
    // Restore the session from the refresh cookie, if there is one.
    restore();
    let channel: BroadcastChannel | null = null;
    if (typeof BroadcastChannel !== "undefined") {
      channel = new BroadcastChannel(CHANNEL);
      channel.onmessage = (event: MessageEvent) => {
        if (event.data === "logout") clear();
      };
    }
    return () => {
      offSession();
      offExpired();
      channel?.close();
    };
  }, [adopt, clear, restore]);

  const login = useCallback(
    async (email: string, password: string) => {
      const { data } = await api.post<TokenPair>(
        "/api/auth/login",
        { email, password },
        { withCredentials: true, skipAuthRefresh: true, silent: true },
      );
      adopt(data);
      return data.user;
    },
    [adopt],
  );

  const logout = useCallback(async () => {
    try {
      await api.post("/api/auth/logout", undefined, { withCredentials: true, skipAuthRefresh: true, silent: true });
    } catch {
      // Signing out locally is what matters; the session expires on its own otherwise.
    }
    clear();
    broadcast("logout");
  }, [clear]);

  const value = useMemo<AuthValue>(
    () => ({ status, user, login, logout, clear, restore, setUser: setUserState }),
    [status, user, login, logout, clear, restore],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth must be used inside <AuthProvider>");
  return value;
}

/** Where to go after signing in: only same-site paths, never another origin. */
export function safeNext(next: string | null | undefined, fallback = "/dashboard"): string {
  // Browsers drop tabs and newlines from URLs ("/\t/evil.example" is "//evil.example") and
  // read "\" as "/": refuse any of them, and anything that does not stay on this origin.
  if (!next || !next.startsWith("/") || /[\s\\]/.test(next) || next.startsWith("//")) return fallback;
  try {
    const base = "http://same.origin";
    const url = new URL(next, base);
    if (url.origin !== base) return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
