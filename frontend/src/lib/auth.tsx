"use client";

import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { apiClient, client, toApiError, type ApiError, type Schema, type TokenPair } from "@/lib/api-client";
import { queryRoots } from "@/lib/query-keys";

export type User = Schema<"UserOut">;

/** Why a session ended, as the login page explains it (`/login?reason=…`). */
export type EndReason = "revoked" | "deactivated" | "expired";

/** The API's answer that ended a session, as a reason the login page explains; null when it says nothing useful. */
export function endReason(error: ApiError): EndReason | null {
  if (error.code === "token_revoked") return "revoked";
  if (error.code === "token_expired") return "expired";
  if ((error.status === 401 || error.status === 403) && /deactivated/i.test(error.message)) return "deactivated";
  return null;
}
/** With two-factor sign-in on, the password alone opens no session: the login page then asks for a code. */
export type MfaChallenge = Schema<"MfaRequired">;
/** The second step's proof: a code from the authenticator app, or one of the recovery codes. */
export type MfaProof = { code: string } | { recovery_code: string };

/** "unreachable": the session could not be restored because the API did not answer (it is kept). */
export type AuthStatus = "loading" | "authenticated" | "anonymous" | "unreachable";

interface AuthValue {
  status: AuthStatus;
  user: User | null;
  /** Why the last session ended (set when the API refused it), for the login page. */
  ended: EndReason | null;
  /** Sign in with the password: the user, or the challenge of a second step (two-factor sign-in on). */
  login(email: string, password: string): Promise<User | MfaChallenge>;
  /** The second step of a sign-in: the challenge's token with a code or a recovery code. */
  loginSecondStep(mfaToken: string, proof: MfaProof): Promise<User>;
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
  const [ended, setEnded] = useState<EndReason | null>(null);
  const queryClient = useQueryClient();

  const clear = useCallback(() => {
    apiClient.setToken(null);
    setUserState(null);
    setStatus("anonymous");
    // Nothing of this account may show to the next one. A share link's public data is no
    // account's: it stays, so a public page loading while the session restore fails (no cookie)
    // keeps its requests instead of losing them mid-flight.
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryRoots.shared[0] });
    queryClient.getMutationCache().clear();
  }, [queryClient]);

  const expire = useCallback(
    (error: ApiError) => {
      setEnded(endReason(error));
      clear();
    },
    [clear],
  );

  const adopt = useCallback((pair: TokenPair) => {
    setEnded(null);
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
      // A missing cookie says nothing; a revoked session or a deactivated account is explained.
      else if (endReason(error) === "expired") clear();
      else expire(error);
    });
  }, [clear, expire]);

  useEffect(() => {
    const offSession = apiClient.onSession(adopt);
    const offExpired = apiClient.onSessionExpired(expire);
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
  }, [adopt, clear, expire, restore]);

  const login = useCallback(
    async (email: string, password: string) => {
      const data = await client.POST("/api/auth/login", {
        body: { email, password },
        withCredentials: true,
        skipAuthRefresh: true,
        silent: true,
      });
      if ("mfa_token" in data) return data;
      adopt(data);
      return data.user;
    },
    [adopt],
  );

  const loginSecondStep = useCallback(
    async (mfaToken: string, proof: MfaProof) => {
      const data = await client.POST("/api/auth/login/2fa", {
        body: { mfa_token: mfaToken, ...proof },
        withCredentials: true,
        skipAuthRefresh: true,
        silent: true,
      });
      adopt(data);
      return data.user;
    },
    [adopt],
  );

  const logout = useCallback(async () => {
    try {
      await client.POST("/api/auth/logout", { withCredentials: true, skipAuthRefresh: true, silent: true });
    } catch {
      // Signing out locally is what matters; the session expires on its own otherwise.
    }
    clear();
    broadcast("logout");
  }, [clear]);

  const value = useMemo<AuthValue>(
    () => ({ status, user, ended, login, loginSecondStep, logout, clear, restore, setUser: setUserState }),
    [status, user, ended, login, loginSecondStep, logout, clear, restore],
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
