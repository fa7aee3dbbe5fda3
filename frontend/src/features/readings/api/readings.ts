import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { api } from "@/lib/api-client";
import { decimalNumber } from "@/lib/forms";
import { householdKey, withHousehold } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

import { fromLocalInput, toOffsetIso } from "../utils/time";

// The shapes of PRODUCT.md §10 (`GET|POST /api/readings`, `GET|PATCH|DELETE /api/readings/{id}`).
export type ReadingKind = "reading" | "replacement";
export type ReadingFlag = "wrapped" | "high_rate";

export interface Reading {
  id: number;
  household_id: number;
  meter_id: number;
  taken_at: string;
  value: number;
  kind: ReadingKind;
  previous_final_value: number | null;
  note: string | null;
  attachment_ids?: number[];
  flags: ReadingFlag[];
  created_by?: number | null;
  created_at: string;
  updated_at: string;
}

export interface ReadingPage {
  items: Reading[];
  page: number;
  per_page: number;
  total: number;
  pages: number;
}

export interface ReadingCreate {
  meter_id: number;
  taken_at: string;
  value: number;
  kind?: ReadingKind;
  previous_final_value?: number | null;
  note?: string | null;
}
export type ReadingUpdate = Partial<Omit<ReadingCreate, "meter_id" | "kind">>;

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

export function toReadingBody(meterId: number, input: ReadingInput): ReadingCreate {
  const note = input.note.trim();
  return { meter_id: meterId, taken_at: takenAtBody(input.taken_at), value: decimalNumber(input.value), note: note === "" ? null : note };
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
    queryFn: async ({ signal }) =>
      (
        await api.get<ReadingPage>("/api/readings", {
          params: withHousehold({ meter_id: meterId, sort: "-taken_at", page, per_page: READINGS_PER_PAGE }),
          signal,
          silent: true,
        })
      ).data,
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
  const invalidate = useInvalidateAfterReadingChange();
  return useMutation({
    mutationFn: async ({ id, body }: { id?: number; body: ReadingCreate | ReadingUpdate }) =>
      (id === undefined
        ? await api.post<Reading>("/api/readings", body, { silent: true })
        : await api.patch<Reading>(`/api/readings/${id}`, body, { silent: true })
      ).data,
    onSuccess: invalidate,
  });
}

/** Delete a reading; the confirmation shows a failure itself (silent). */
export function useDeleteReading() {
  const invalidate = useInvalidateAfterReadingChange();
  return useMutation({
    mutationFn: async (id: number) => {
      await api.delete(`/api/readings/${id}`, { silent: true });
    },
    onSuccess: invalidate,
  });
}
