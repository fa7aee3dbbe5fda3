import { QueryClient } from "@tanstack/react-query";

import { ApiError } from "@/lib/api-client";

/** How many times a request that got no answer (or a 5xx) is tried again. */
export const MAX_RETRIES = 3;

/** Retry what may pass another time (no answer, 5xx), never what the API refused (4xx) or a cancelled request. */
export function shouldRetry(failures: number, error: unknown): boolean {
  if (failures >= MAX_RETRIES) return false;
  return error instanceof ApiError && (error.status === 0 || error.status >= 500) && error.code !== "canceled";
}

/** Backoff on a slow or failing network: 1 s, 2 s, 4 s … capped at 15 s. */
export function retryDelay(failures: number): number {
  return Math.min(1000 * 2 ** failures, 15_000);
}

/**
 * A write is retried only when it got no answer at all, and only when sending it again cannot
 * write twice (`ApiError.repeatable`: not a POST, or a POST with an Idempotency-Key, which the
 * API answers with a replay of the first answer). Never on an answer, 4xx or 5xx.
 */
export function shouldRetryWrite(failures: number, error: unknown): boolean {
  if (failures >= MAX_RETRIES - 1) return false;
  return error instanceof ApiError && error.status === 0 && error.repeatable;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay,
        // Live events invalidate what changed; focus alone is no reason to refetch.
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
      mutations: {
        retry: shouldRetryWrite,
        retryDelay,
        // The forms decide what happens offline (the queue): a write is never held back paused.
        networkMode: "always",
      },
    },
  });
}

declare module "@tanstack/react-query" {
  interface Register {
    // Every request goes through the API client, which throws ApiError only.
    defaultError: ApiError;
  }
}
