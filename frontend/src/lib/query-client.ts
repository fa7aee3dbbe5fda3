import { QueryClient } from "@tanstack/react-query";

import { ApiError } from "@/lib/api-client";

/** Retry what may pass a second time (network, 5xx), never what the API refused. */
function shouldRetry(failures: number, error: unknown): boolean {
  if (failures >= 1) return false;
  return error instanceof ApiError && (error.status === 0 || error.status >= 500) && error.code !== "canceled";
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        // Live events invalidate what changed; focus alone is no reason to refetch.
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
}

declare module "@tanstack/react-query" {
  interface Register {
    // Every request goes through the API client, which throws ApiError only.
    defaultError: ApiError;
  }
}
