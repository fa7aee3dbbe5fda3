import axios, { AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from "axios";

import { env } from "@/config/env";
import type { components } from "@/lib/api-types";

export type TokenPair = components["schemas"]["TokenPair"];

declare module "axios" {
  interface AxiosRequestConfig {
    /** Do not try a refresh when this request answers 401 (sign-in, the refresh itself). */
    skipAuthRefresh?: boolean;
    /** Do not announce a failure globally (no toast); the caller handles it. */
    silent?: boolean;
    _retried?: boolean;
  }
}

export type FieldErrors = Record<string, string>;
export interface RowError {
  /** 1 = the first data row; 0 = the header line. */
  row: number;
  /** The column, or null for a problem with the whole row. */
  field: string | null;
  message: string;
}

/** A failed request, from the API's error envelope `{error: {code, message, details}}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Validation errors by field path ("amount", "preferences.currency"). */
  readonly fieldErrors: FieldErrors;
  /** Per-row errors of a CSV import (`{row, field, message}`). */
  readonly rowErrors: RowError[];

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.fieldErrors = fieldErrorsOf(details);
    this.rowErrors = rowErrorsOf(details);
  }
}

const FALLBACK: Record<number, string> = {
  400: "The request could not be read.",
  401: "Please sign in again.",
  403: "You are not allowed to do that.",
  404: "That was not found.",
  409: "That conflicts with existing data.",
  413: "That upload is too large.",
  422: "Some fields are not valid.",
  423: "The account is locked for a while.",
  429: "Too many requests; wait a moment and try again.",
  500: "Something went wrong on the server.",
  503: "The service is unavailable; try again shortly.",
};

function cleanMessage(msg: string): string {
  return msg.replace(/^(Value error|Assertion failed), /, "");
}

function fieldErrorsOf(details: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (!Array.isArray(details)) return out;
  for (const item of details) {
    if (!item || typeof item !== "object") continue;
    const { loc, msg } = item as { loc?: unknown; msg?: unknown };
    if (!Array.isArray(loc) || typeof msg !== "string") continue;
    const path = loc[0] === "body" || loc[0] === "query" ? loc.slice(1) : loc;
    const key = path.length ? path.join(".") : "root";
    out[key] ??= cleanMessage(msg);
  }
  return out;
}

function rowErrorsOf(details: unknown): RowError[] {
  if (!Array.isArray(details)) return [];
  return details.filter(
    (item): item is RowError =>
      !!item && typeof item === "object" && typeof (item as RowError).row === "number",
  );
}

function blobText(blob: Blob): Promise<string> {
  if (typeof blob.text === "function") return blob.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

async function parseBody(data: unknown): Promise<unknown> {
  if (typeof Blob !== "undefined" && data instanceof Blob) {
    try {
      return JSON.parse(await blobText(data));
    } catch {
      return null;
    }
  }
  if (typeof data === "string") {
    try {
      return JSON.parse(data);
    } catch {
      return null;
    }
  }
  return data;
}

/** Turn anything thrown by axios (or by us) into an ApiError. */
export async function toApiError(error: unknown): Promise<ApiError> {
  if (error instanceof ApiError) return error;
  if (axios.isAxiosError(error)) {
    if (!error.response) {
      if (error.code === AxiosError.ERR_CANCELED) return new ApiError(0, "canceled", "The request was cancelled.");
      return new ApiError(0, "network_error", "Cannot reach the server. Check your connection and try again.");
    }
    const { status } = error.response;
    const body = (await parseBody(error.response.data)) as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null;
    const envelope = body && typeof body === "object" ? body.error : undefined;
    if (envelope && typeof envelope.code === "string" && typeof envelope.message === "string") {
      return new ApiError(status, envelope.code, envelope.message, envelope.details);
    }
    return new ApiError(status, "http_error", FALLBACK[status] ?? `The server answered ${status}.`);
  }
  return new ApiError(0, "client_error", error instanceof Error ? error.message : String(error));
}

function readCookie(name: string): string | null {
  if (typeof document === "undefined") return null;
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

type Listener<T> = (value: T) => void;

function emitter<T>() {
  const listeners = new Set<Listener<T>>();
  return {
    emit: (value: T) => listeners.forEach((listener) => listener(value)),
    on: (listener: Listener<T>) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

export interface ApiClient {
  http: AxiosInstance;
  getToken(): string | null;
  setToken(token: string | null): void;
  /** Exchange the refresh cookie for a new access token; concurrent callers share one request. */
  refreshSession(): Promise<TokenPair>;
  /** The access token changed (sign-in, refresh, sign-out). */
  onToken(listener: Listener<string | null>): () => void;
  /** A refresh produced a new session (with the user). */
  onSession(listener: Listener<TokenPair>): () => void;
  /** A request needed a session and none could be restored. */
  onSessionExpired(listener: Listener<ApiError>): () => void;
  /** A request failed and nobody asked for silence: show it. */
  onError(listener: Listener<ApiError>): () => void;
}

/** ``baseURL`` may be a function: the runtime settings are only known once the page has loaded. */
export function createApiClient(baseURL: string | (() => string)): ApiClient {
  const http = axios.create({ headers: { Accept: "application/json" } });
  let token: string | null = null;
  let pending: Promise<TokenPair> | null = null;
  const tokenEvents = emitter<string | null>();
  const sessionEvents = emitter<TokenPair>();
  const expiredEvents = emitter<ApiError>();
  const errorEvents = emitter<ApiError>();

  const setToken = (next: string | null) => {
    if (next === token) return;
    token = next;
    tokenEvents.emit(next);
  };

  const requestRefresh = async (): Promise<TokenPair> => {
    const response = await http.post<TokenPair>("/api/auth/refresh", undefined, {
      withCredentials: true,
      headers: { "X-CSRF-TOKEN": readCookie("csrf_refresh_token") ?? "" },
      skipAuthRefresh: true,
      silent: true,
    });
    return response.data;
  };

  const refreshSession = () => {
    if (!pending) {
      // Tabs share the refresh cookie and each refresh rotates it: take turns across tabs.
      const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
      const run: Promise<TokenPair> = locks ? (locks.request("meterbook-refresh", requestRefresh) as unknown as Promise<TokenPair>) : requestRefresh();
      pending = run
        .then((pair) => {
          setToken(pair.access_token);
          sessionEvents.emit(pair);
          return pair;
        })
        .finally(() => {
          pending = null;
        });
    }
    return pending;
  };

  http.interceptors.request.use((config: InternalAxiosRequestConfig) => {
    config.baseURL ??= typeof baseURL === "function" ? baseURL() : baseURL;
    if (token && !config.headers.has("Authorization")) {
      config.headers.set("Authorization", `Bearer ${token}`);
    }
    return config;
  });

  http.interceptors.response.use(undefined, async (error: unknown) => {
    const config = axios.isAxiosError(error) ? error.config : undefined;
    if (axios.isAxiosError(error) && error.response?.status === 401 && config && !config.skipAuthRefresh && !config._retried) {
      config._retried = true;
      const sent = String(config.headers.get("Authorization") ?? "").replace(/^Bearer /, "") || null;
      let fresh: string;
      try {
        // Another request may already have refreshed while this one was in flight.
        fresh = token && token !== sent ? token : (await refreshSession()).access_token;
      } catch {
        const original = await toApiError(error);
        setToken(null);
        expiredEvents.emit(original);
        throw original;
      }
      config.headers.set("Authorization", `Bearer ${fresh}`);
      return http.request(config);
    }
    const apiError = await toApiError(error);
    if (!config?.silent && apiError.code !== "canceled") errorEvents.emit(apiError);
    throw apiError;
  });

  return {
    http,
    getToken: () => token,
    setToken,
    refreshSession,
    onToken: tokenEvents.on,
    onSession: sessionEvents.on,
    onSessionExpired: expiredEvents.on,
    onError: errorEvents.on,
  };
}

/** The one client the app uses. */
export const apiClient = createApiClient(() => env().NEXT_PUBLIC_API_URL);
export const api = apiClient.http;
