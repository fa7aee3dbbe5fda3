import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from "axios";

import { env } from "@/config/env";
import type { components, paths } from "@/lib/api-types";

export type TokenPair = components["schemas"]["TokenPair"];
/** A schema of the API's OpenAPI document, by name. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

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
/** One problem of a CSV import: row 1 = the first data row, 0 = the header line; field null = the whole row. */
export type RowError = Schema<"ImportRowError">;

/** A failed request, from the API's error envelope `{error: {code, message, details}}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Validation errors by field path ("amount", "preferences.currency"). */
  readonly fieldErrors: FieldErrors;
  /** Per-row errors of a CSV import (`{row, field, message}`). */
  readonly rowErrors: RowError[];
  /**
   * A request that got no answer and may be sent again without writing twice: a GET, PUT, PATCH
   * or DELETE, or a POST carrying an Idempotency-Key (the API then replays the first answer).
   */
  repeatable = false;

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
  return details.filter((item): item is RowError => !!item && typeof item === "object" && typeof (item as RowError).row === "number");
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
      const failure = new ApiError(0, "network_error", "Cannot reach the server. Check your connection and try again.");
      const method = (error.config?.method ?? "get").toUpperCase();
      failure.repeatable = method !== "POST" || Boolean(error.config?.headers?.has("Idempotency-Key"));
      return failure;
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
  // Repeated keys for arrays (`type=gas&type=water`), as the API reads them.
  const http = axios.create({ headers: { Accept: "application/json" }, paramsSerializer: { indexes: null } });
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

  const requestRefresh = (): Promise<TokenPair> =>
    typedClient(http).POST("/api/auth/refresh", {
      withCredentials: true,
      headers: { "X-CSRF-TOKEN": readCookie("csrf_refresh_token") ?? "" },
      skipAuthRefresh: true,
      silent: true,
    });

  const refreshSession = () => {
    if (!pending) {
      // Tabs share the refresh cookie and each refresh rotates it: take turns across tabs.
      const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
      const run: Promise<TokenPair> = locks
        ? (locks.request("meterbook-refresh", requestRefresh) as unknown as Promise<TokenPair>)
        : requestRefresh();
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
      } catch (refreshError) {
        // The refresh's answer says why the session ended (revoked, account deactivated …).
        const reason = await toApiError(refreshError);
        setToken(null);
        expiredEvents.emit(reason.status === 401 || reason.status === 403 ? reason : await toApiError(error));
        throw await toApiError(error);
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

// --- Requests typed by path ------------------------------------------------------------
// Every call names an OpenAPI path and a method; its parameters, body and answer are the
// generated types, so a changed endpoint breaks the build.

type Method = "get" | "post" | "put" | "patch" | "delete";
/** The paths that answer ``M``. */
export type PathsWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined ? never : P }[keyof paths];
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type ParamsOf<O> = O extends { parameters: infer Params } ? Params : never;
type PathParams<O> = ParamsOf<O> extends { path: infer X } ? X : never;
type QueryParams<O> = ParamsOf<O> extends { query?: infer X } ? X : never;
type BodyOf<O> = O extends { requestBody: { content: infer C } }
  ? C extends { "application/json": infer J }
    ? J
    : FormData
  : O extends { requestBody?: { content: infer C } }
    ? C extends { "application/json": infer J }
      ? J | undefined
      : FormData | undefined
    : never;
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : R extends { 202: infer A } ? A : never;
/** The JSON answer of a successful call (``void`` for 204). */
export type ResponseOf<O> = O extends { responses: infer R }
  ? Success<R> extends { content: { "application/json": infer J } }
    ? J
    : void
  : never;

/** The query parameters of a GET path, as the API documents them. */
export type QueryOf<P extends PathsWith<"get">> = NonNullable<QueryParams<Operation<P, "get">>>;

type Extra = Pick<AxiosRequestConfig, "signal" | "silent" | "skipAuthRefresh" | "withCredentials" | "onUploadProgress" | "headers">;
type Options<O> = Extra &
  ([PathParams<O>] extends [never] ? { path?: never } : { path: PathParams<O> }) &
  ([QueryParams<O>] extends [never] ? { query?: never } : { query?: QueryParams<O> }) &
  ([BodyOf<O>] extends [never] ? { body?: never } : undefined extends BodyOf<O> ? { body?: BodyOf<O> } : { body: BodyOf<O> });
/** Options may be left out when none of them is required. */
type Args<O> = Record<string, never> extends Options<O> ? [options?: Options<O>] : [options: Options<O>];

function fillPath(template: string, values: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values?.[name];
    if (value === undefined || value === null) throw new Error(`Missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(value));
  });
}

/** Empty strings and nulls are left out of the query, like undefined. */
function cleanQuery(query: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!query) return undefined;
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined && value !== null && value !== ""));
}

function config(
  method: Method,
  path: string,
  options: Partial<Options<unknown>> & { path?: unknown; query?: unknown; body?: unknown } = {},
): AxiosRequestConfig {
  const { path: pathValues, query, body, ...extra } = options;
  return {
    ...extra,
    method,
    url: fillPath(path, pathValues as Record<string, unknown> | undefined),
    params: cleanQuery(query as Record<string, unknown> | undefined),
    data: body,
  };
}

export interface TypedClient {
  GET<P extends PathsWith<"get">>(path: P, ...args: Args<Operation<P, "get">>): Promise<ResponseOf<Operation<P, "get">>>;
  POST<P extends PathsWith<"post">>(path: P, ...args: Args<Operation<P, "post">>): Promise<ResponseOf<Operation<P, "post">>>;
  PUT<P extends PathsWith<"put">>(path: P, ...args: Args<Operation<P, "put">>): Promise<ResponseOf<Operation<P, "put">>>;
  PATCH<P extends PathsWith<"patch">>(path: P, ...args: Args<Operation<P, "patch">>): Promise<ResponseOf<Operation<P, "patch">>>;
  DELETE<P extends PathsWith<"delete">>(path: P, ...args: Args<Operation<P, "delete">>): Promise<ResponseOf<Operation<P, "delete">>>;
  /** A GET whose answer is a file: the raw response with a Blob body. */
  download<P extends PathsWith<"get">>(path: P, ...args: Args<Operation<P, "get">>): Promise<AxiosResponse<Blob>>;
  /**
   * A multipart POST (a file and its fields) that reports how much has been sent, from 0 to 1.
   * Axios sends it with XMLHttpRequest in the browser: fetch reports no upload progress.
   */
  upload<P extends PathsWith<"post">>(path: P, body: FormData, options?: UploadOptions): Promise<ResponseOf<Operation<P, "post">>>;
}

export type UploadOptions = Pick<AxiosRequestConfig, "signal" | "silent"> & { onProgress?(fraction: number): void };

/** Typed calls over an Axios instance (the one below in the app, a test's own in tests). */
export function typedClient(http: AxiosInstance): TypedClient {
  const call = (method: Method) => async (path: string, options?: object) => (await http.request(config(method, path, options))).data;
  return {
    GET: call("get"),
    POST: call("post"),
    PUT: call("put"),
    PATCH: call("patch"),
    DELETE: call("delete"),
    download: (path: string, options?: object) => http.request<Blob>({ ...config("get", path, options), responseType: "blob" }),
    upload: async (path: string, body: FormData, { onProgress, ...options }: UploadOptions = {}) =>
      (
        await http.request({
          ...config("post", path, options),
          data: body,
          onUploadProgress: onProgress && ((event) => onProgress(event.total ? event.loaded / event.total : (event.progress ?? 0))),
        })
      ).data,
  } as TypedClient;
}

/** The one typed client the features call. */
export const client = typedClient(api);
