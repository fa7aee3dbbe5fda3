import { z } from "zod";

/**
 * The SPA's settings. They are read when a page is served (the root layout writes them into
 * `window.__MB_ENV__`), so one build runs against any API; at build time and in tests the
 * process environment is used instead.
 */
const schema = z.object({
  NEXT_PUBLIC_API_URL: z
    .url({ protocol: /^https?$/, message: "NEXT_PUBLIC_API_URL must be an http(s) URL" })
    .default("http://localhost:5000")
    .transform((url) => url.replace(/\/+$/, "")),
  NEXT_PUBLIC_WS_URL: z.url({ protocol: /^wss?$/, message: "NEXT_PUBLIC_WS_URL must be a ws(s) URL" }).default("ws://localhost:5000/ws"),
});

export type Env = z.infer<typeof schema>;
export const ENV_KEYS = ["NEXT_PUBLIC_API_URL", "NEXT_PUBLIC_WS_URL"] as const;

declare global {
  interface Window {
    __MB_ENV__?: Partial<Record<(typeof ENV_KEYS)[number], string>>;
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const values = Object.fromEntries(ENV_KEYS.map((key) => [key, source[key] || undefined]));
  const result = schema.safeParse(values);
  if (!result.success) {
    throw new Error(`Invalid environment: ${result.error.issues.map((issue) => issue.message).join("; ")}`);
  }
  return result.data;
}

/** The server's environment, read at request time (a computed key keeps Next from inlining it). */
export function serverEnv(): Env {
  const read = (key: string) => process.env[key];
  return parseEnv(Object.fromEntries(ENV_KEYS.map((key) => [key, read(key)])));
}

let cached: Env | null = null;

export function env(): Env {
  if (cached) return cached;
  if (typeof window !== "undefined" && window.__MB_ENV__) {
    cached = parseEnv(window.__MB_ENV__);
  } else {
    cached = serverEnv();
  }
  return cached;
}
