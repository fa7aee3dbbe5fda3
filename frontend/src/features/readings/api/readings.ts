import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { ApiError, client, type Schema } from "@/lib/api-client";
import { decimalNumber } from "@/lib/forms";
import { householdKey, withHousehold } from "@/lib/household";
import { provisionalId, updatePages } from "@/lib/optimistic";
import { queryRoots } from "@/lib/query-keys";

import { fromLocalInput, toOffsetIso } from "../utils/time";

export type Reading = Schema<"ReadingOut">;
export type ReadingPage = Schema<"ReadingPage">;
export type ReadingCreate = Schema<"ReadingCreate">;
export type ReadingUpdate = Schema<"ReadingUpdate">;
export type ReadingFlag = keyof Reading["flags"];

/** A register's value: ≥ 0, < 10^12, at most 3 decimals (the API's rule); a decimal comma reads as a point. */
export const MAX_READING = 1_000_000_000_000;
export function readingValue(label: string) {
  return z
    .string()
    .trim()
    .min(1, `${label} is required`)
    .regex(/^(\d+[.,]?\d*|[.,]\d+)$/, `${label} must be a number of 0 or more, such as 12345.6`)
    .refine((value) => (value.split(/[.,]/)[1] ?? "").length <= 3, `${label} must have at most 3 decimal places`)
    .refine((value) => decimalNumber(value) < MAX_READING, `${label} must be less than 1,000,000,000,000`);
}

export const takenAt = z
  .string()
  .min(1, "Enter the date and time")
  .refine((value) => fromLocalInput(value) !== null, "Enter a complete date and time");

/** The entry's fields (strings, as inputs hold them). */
export const readingSchema = z.object({
  value: readingValue("Reading"),
  taken_at: takenAt,
  note: z.string().max(500, "Note must be at most 500 characters"),
});
export type ReadingInput = z.infer<typeof readingSchema>;

export const replacementSchema = z.object({
  previous_final_value: readingValue("The old meter's final value"),
  value: readingValue("The new meter's start value"),
  taken_at: takenAt,
});
export type ReplacementInput = z.infer<typeof replacementSchema>;

/** The time as the API takes it: with the device's offset. */
export const takenAtBody = (local: string) => toOffsetIso(fromLocalInput(local)!);

/** The entry's body; ``at`` (the moment of saving) replaces a time the user left as it was. */
export function toReadingBody(meterId: number, input: ReadingInput, at?: Date): ReadingCreate {
  const note = input.note.trim();
  return {
    meter_id: meterId,
    taken_at: at ? toOffsetIso(at) : takenAtBody(input.taken_at),
    value: decimalNumber(input.value),
    note: note === "" ? null : note,
  };
}

export function toReplacementBody(meterId: number, input: ReplacementInput): ReadingCreate {
  return {
    meter_id: meterId,
    taken_at: takenAtBody(input.taken_at),
    value: decimalNumber(input.value),
    kind: "replacement",
    previous_final_value: decimalNumber(input.previous_final_value),
  };
}

export const READINGS_PER_PAGE = 20;

export const readingKeys = {
  all: queryRoots.readings,
  list: (meterId: number, page: number) => [...queryRoots.readings, "list", householdKey(), meterId, page] as const,
};

/** A meter's readings, newest first, a page at a time. */
export const readingsQuery = (meterId: number, page: number) =>
  queryOptions({
    queryKey: readingKeys.list(meterId, page),
    queryFn: ({ signal }) =>
      client.GET("/api/readings", {
        query: withHousehold({ meter_id: meterId, sort: "-taken_at" as const, page, per_page: READINGS_PER_PAGE }),
        signal,
        silent: true,
      }),
    placeholderData: keepPreviousData,
  });

/** A reading changes the readings, the meter's last reading and the derived consumption (analytics). */
function useInvalidateAfterReadingChange() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryRoots.readings }),
      queryClient.invalidateQueries({ queryKey: queryRoots.meters }),
      queryClient.invalidateQueries({ queryKey: queryRoots.analytics }),
    ]);
}

/** Create (a reading or a replacement) or change a reading. The forms show failures: silent. */
export function useSaveReading() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateAfterReadingChange();
  return useMutation({
    mutationFn: (change: { id?: undefined; body: ReadingCreate; key?: string } | { id: number; body: ReadingUpdate }) =>
      change.id === undefined
        ? client.POST("/api/readings", {
            body: change.body,
            // The key the offline queue keeps if this attempt gets no answer: a retry is then a replay.
            headers: change.key ? { "Idempotency-Key": change.key } : undefined,
            silent: true,
          })
        : client.PATCH("/api/readings/{reading_id}", { path: { reading_id: change.id }, body: change.body, silent: true }),
    // Shown in the list at once; put back if the API refuses.
    onMutate: (change) =>
      updatePages<Reading>(queryClient, [...queryRoots.readings, "list"], (items, key) => {
        if (change.id !== undefined) return items.map((item) => (item.id === change.id ? ({ ...item, ...change.body } as Reading) : item));
        const body = change.body as Extract<ReadingCreate, { taken_at: string; value: number }>;
        // A new reading goes on top of the first page of its meter (newest first).
        if (key[3] !== body.meter_id || key[4] !== 1) return items;
        const now = new Date().toISOString();
        const provisional: Reading = {
          id: provisionalId(),
          household_id: 0,
          meter_id: body.meter_id,
          taken_at: body.taken_at,
          value: body.value,
          kind: body.kind ?? "reading",
          previous_final_value: body.previous_final_value ?? null,
          note: body.note ?? null,
          flags: { wrapped: false, high_rate: false },
          attachment_ids: body.attachment_ids ?? [],
          created_by: null,
          created_at: now,
          updated_at: now,
        };
        return [provisional, ...items];
      }),
    onError: (_error, _change, rollback) => rollback?.(),
    onSuccess: invalidate,
  });
}

/** Delete a reading; the confirmation shows a failure itself (silent). */
export function useDeleteReading() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateAfterReadingChange();
  return useMutation({
    mutationFn: (id: number) => client.DELETE("/api/readings/{reading_id}", { path: { reading_id: id }, silent: true }),
    onMutate: (id) =>
      updatePages<Reading>(queryClient, [...queryRoots.readings, "list"], (items) => items.filter((item) => item.id !== id)),
    onError: (_error, _id, rollback) => rollback?.(),
    onSuccess: invalidate,
  });
}

/**
 * The API's field errors on the form's fields, as sentences: the order rule's messages start
 * with the verb ("is below the reading of …"), so the field's name goes first. Returns a message
 * for the form as a whole when none names one of ``labels``' fields.
 */
export function readingErrors(error: unknown, labels: Record<string, string>): { fields: Record<string, string>; form?: string } {
  if (!(error instanceof ApiError)) return { fields: {}, form: "Something went wrong." };
  const fields: Record<string, string> = {};
  for (const [field, message] of Object.entries(error.fieldErrors)) {
    const label = labels[field];
    if (label !== undefined) fields[field] = /^[a-z]/.test(message) ? `${label} ${message}` : message;
  }
  return Object.keys(fields).length ? { fields } : { fields, form: error.message };
}
