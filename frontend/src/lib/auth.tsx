"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { api, apiClient, type TokenPair } from "@/lib/api-client";
import type { components } from "@/lib/api-types";

export type User = components["schemas"]["UserOut"];
export type AuthStatus = "loading" | "authenticated" | "anonymous";

interface AuthValue {
  status: AuthStatus;
  user: User | null;
  login(email: string, password: string): Promise<User>;
  logout(): Promise<void>;
  /** Forget the session locally (after the account was deleted, for instance). */
  clear(): void;
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

  useEffect(() => {
    const offSession = apiClient.onSession(adopt);
    const offExpired = apiClient.onSessionExpired(clear);
    // Restore the session from the refresh cookie, if there is one.
    apiClient.refreshSession().catch(() => {
      if (!apiClient.getToken()) clear();
    });
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
  }, [adopt, clear]);

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
    () => ({ status, user, login, logout, clear, setUser: setUserState }),
    [status, user, login, logout, clear],
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
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}
