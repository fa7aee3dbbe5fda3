import { AxiosError, AxiosHeaders } from "axios";

import { ApiError, toApiError } from "@/lib/api-client";
import { MAX_RETRIES, retryDelay, shouldRetry, shouldRetryWrite } from "@/lib/query-client";

/** A request that got no answer, as axios reports it. */
async function noAnswer(method: string, headers: Record<string, string> = {}): Promise<ApiError> {
  const config = { method, url: "/api/x", headers: new AxiosHeaders(headers) };
  return toApiError(new AxiosError("Network Error", AxiosError.ERR_NETWORK, config));
}

test("queries are retried on no answer and on 5xx, with backoff, never on a 4xx", async () => {
  const network = await noAnswer("get");
  expect([0, 1, 2, 3].map((failures) => shouldRetry(failures, network))).toEqual([true, true, true, false]);
  expect(MAX_RETRIES).toBe(3);
  expect(shouldRetry(0, new ApiError(503, "unavailable", "down"))).toBe(true);
  for (const status of [400, 401, 403, 404, 409, 422, 429]) expect(shouldRetry(0, new ApiError(status, "x", "no"))).toBe(false);
  expect(shouldRetry(0, new ApiError(0, "canceled", "The request was cancelled."))).toBe(false);
  expect([0, 1, 2, 3, 4, 5].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
});

test("writes are retried only without an answer, and only when a second send cannot write twice", async () => {
  // A create without an Idempotency-Key might have been written: not sent again.
  expect(shouldRetryWrite(0, await noAnswer("post"))).toBe(false);
  // With a key, the API replays the first answer.
  const keyed = await noAnswer("post", { "Idempotency-Key": "5b0c…" });
  expect(keyed.repeatable).toBe(true);
  expect([0, 1, 2].map((failures) => shouldRetryWrite(failures, keyed))).toEqual([true, true, false]);
  expect(shouldRetryWrite(0, await noAnswer("patch"))).toBe(true);
  expect(shouldRetryWrite(0, await noAnswer("delete"))).toBe(true);
  // An answer, whatever it says, is not retried.
  expect(shouldRetryWrite(0, new ApiError(500, "internal_error", "boom"))).toBe(false);
  expect(shouldRetryWrite(0, new ApiError(422, "validation_error", "no"))).toBe(false);
});
