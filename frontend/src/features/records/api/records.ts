import { keepPreviousData, queryOptions, useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import type { AxiosProgressEvent } from "axios";
import { z } from "zod";

import { queueWrite } from "@/features/offline";
import { client, type QueryOf, type Schema } from "@/lib/api-client";
import { formatAmount, formatDate } from "@/lib/format";
import { decimalNumber, decimalString, isoDate } from "@/lib/forms";
import { householdKey, withHousehold } from "@/lib/household";
import type { Meter } from "@/lib/meters";
import { provisionalId, updatePages } from "@/lib/optimistic";
import { queryRoots } from "@/lib/query-keys";

export type RecordItem = Schema<"RecordOut">;
export type RecordPage = Schema<"RecordPage">;
export type ImportResult = Schema<"ImportResult">;
export type Sort = RecordFilters["sort"];

type RecordQuery = QueryOf<"/api/records">;
/** The list's query as the page holds it: sort and paging always set. */
export type RecordFilters = RecordQuery & Required<Pick<RecordQuery, "sort" | "page" | "per_page">>;

export const defaultFilters: RecordFilters = { sort: "-date", page: 1, per_page: 20 };
/** The API's limit on the note search (RecordFilters.q). */
export const MAX_SEARCH = 200;

export type FilterErrors = Partial<Record<"date_from" | "date_to" | "q", string>>;

/** The filters the API would refuse, by field: nothing is fetched (or shown) while any is left. */
export function filterErrors(filters: Pick<RecordFilters, "date_from" | "date_to" | "q">): FilterErrors {
  const errors: FilterErrors = {};
  if (filters.date_from && filters.date_to && filters.date_from > filters.date_to) errors.date_to = "The end must not be before the start";
  if ((filters.q?.length ?? 0) > MAX_SEARCH) errors.q = `Search at most ${MAX_SEARCH} characters`;
  return errors;
}

/** The form's values are strings (what inputs hold); the API gets numbers. */
export const recordSchema = z.object({
  meter_id: z.string().min(1, "Choose a meter"),
  date: isoDate,
  amount: decimalString(3, "Amount"),
  cost: z.union([z.literal(""), decimalString(2, "Cost")]),
  note: z.string().max(500, "Note must be at most 500 characters"),
});
export type RecordInput = z.infer<typeof recordSchema>;

export function toRecordBody(input: RecordInput): Schema<"RecordCreate"> {
  const note = input.note.trim();
  return {
    meter_id: Number(input.meter_id),
    date: input.date,
    amount: decimalNumber(input.amount),
    cost: input.cost === "" ? null : decimalNumber(input.cost),
    note: note === "" ? null : note,
  };
}

export const recordKeys = {
  all: queryRoots.records,
  list: (filters: RecordFilters) => [...queryRoots.records, "list", householdKey(), filters] as const,
};

export const recordsQuery = (filters: RecordFilters) =>
  queryOptions({
    queryKey: recordKeys.list(filters),
    queryFn: ({ signal }) => client.GET("/api/records", { query: withHousehold(filters), signal, silent: true }),
    // Paging or sorting keeps the current rows on screen until the next page arrives.
    placeholderData: keepPreviousData,
  });

/**
 * The filtered set's totals for the list's footer: the analytics summary over the same meters,
 * types and dates (all dates when none are given), per type in its unit, with cost and count.
 * Kept under the analytics root, so every record change refetches it. A note search (`q`) is
 * passed on: the summary then counts the matching records themselves (their own costs only).
 */
export const recordTotalsQuery = (filters: RecordFilters) =>
  queryOptions({
    queryKey: [
      ...queryRoots.analytics,
      "record-totals",
      householdKey(),
      filters.meter_id,
      filters.type,
      filters.date_from,
      filters.date_to,
      filters.q,
    ] as const,
    queryFn: ({ signal }) =>
      client.GET("/api/analytics/summary", {
        query: withHousehold({
          group_by: "type" as const,
          meter_id: filters.meter_id,
          type: filters.type,
          date_from: filters.date_from ?? "1900-01-01",
          date_to: filters.date_to ?? "2999-12-31",
          q: filters.q || undefined,
        }),
        signal,
        silent: true,
      }),
    placeholderData: keepPreviousData,
  });

/** A meter from the cached meters lists (for a record shown before the API answers). */
function cachedMeter(queryClient: QueryClient, id: number): Meter | undefined {
  for (const [, data] of queryClient.getQueriesData<Meter[]>({ queryKey: queryRoots.meters })) {
    const found = Array.isArray(data) ? data.find((meter) => meter.id === id) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** A record change shows in the records and in every analytics figure. */
function useInvalidateAfterRecordChange() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryRoots.records }),
      queryClient.invalidateQueries({ queryKey: queryRoots.analytics }),
    ]);
}

export function useSaveRecord() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateAfterRecordChange();
  return useMutation({
    // The form shows failures on its fields or above them: silent, so no toast repeats them.
    mutationFn: ({ id, input, key }: { id?: number; input: RecordInput; key?: string }) =>
      id === undefined
        ? client.POST("/api/records", {
            body: toRecordBody(input),
            // The key the offline queue keeps if this attempt gets no answer: a retry is then a replay.
            headers: key ? { "Idempotency-Key": key } : undefined,
            silent: true,
          })
        : client.PUT("/api/records/{record_id}", { path: { record_id: id }, body: toRecordBody(input), silent: true }),
    // Shown in the lists at once; put back if the API refuses.
    onMutate: ({ id, input }) => {
      const body = toRecordBody(input);
      const meter = cachedMeter(queryClient, body.meter_id);
      const fields = { ...body, ...(meter ? { meter_name: meter.name, unit: meter.unit, type: meter.type } : {}) };
      return updatePages<RecordItem>(queryClient, [...queryRoots.records, "list"], (items, key) => {
        if (id !== undefined) return items.map((item) => (item.id === id ? { ...item, ...fields } : item));
        const filters = key[3] as RecordFilters | undefined;
        // A new record goes on top of a first page it belongs to (refetched in order right after).
        if (!meter || !filters || filters.page !== 1 || filters.type || filters.q || filters.date_from || filters.date_to) return items;
        if (filters.meter_id !== undefined && filters.meter_id !== body.meter_id) return items;
        const now = new Date().toISOString();
        return [
          {
            id: provisionalId(),
            household_id: 0,
            created_by: null,
            created_at: now,
            updated_at: now,
            meter_name: meter.name,
            unit: meter.unit,
            type: meter.type,
            ...body,
          } as RecordItem,
          ...items,
        ];
      });
    },
    onError: (_error, _change, rollback) => rollback?.(),
    onSuccess: invalidate,
  });
}

export function useDeleteRecord() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateAfterRecordChange();
  return useMutation({
    mutationFn: (id: number) => client.DELETE("/api/records/{record_id}", { path: { record_id: id } }),
    onMutate: (id) =>
      updatePages<RecordItem>(queryClient, [...queryRoots.records, "list"], (items) => items.filter((item) => item.id !== id)),
    onError: (_error, _id, rollback) => rollback?.(),
    onSuccess: invalidate,
  });
}

/** Upload a CSV; failures (422 with per-row details) are thrown as ApiError with rowErrors. */
export function useImportRecords() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateAfterRecordChange();
  return useMutation({
    mutationFn: ({ file, onProgress }: { file: File; onProgress(fraction: number): void }) => {
      const body = new FormData();
      body.append("file", file);
      return client.POST("/api/records/import", {
        // Meters the file names but the household lacks are created in the household on screen.
        query: withHousehold({}),
        body,
        // The dialog shows the failure (and its rows) itself.
        silent: true,
        onUploadProgress: (event: AxiosProgressEvent) => onProgress(event.total ? event.loaded / event.total : (event.progress ?? 0)),
      });
    },
    // An import may create meters.
    onSuccess: () => Promise.all([invalidate(), queryClient.invalidateQueries({ queryKey: queryRoots.meters })]),
  });
}

/** Download the export with the current filters (the bearer token rules out a plain link). */
export async function exportRecords(filters: RecordFilters, format: "csv" | "json"): Promise<{ blob: Blob; filename: string }> {
  const { page: _page, per_page: _perPage, ...rest } = filters;
  const response = await client.download("/api/records/export", { query: withHousehold({ ...rest, format }) });
  const disposition = String(response.headers["content-disposition"] ?? "");
  const match = /filename="?([^";]+)"?/.exec(disposition);
  return { blob: response.data, filename: match?.[1] ?? `meterbook-records.${format}` };
}

/** Keep a new record on the device (no connection): sent by the offline queue with ``key``. */
export function queueRecord(input: RecordInput, meters: Meter[], key: string) {
  const body = toRecordBody(input);
  const meter = meters.find((item) => item.id === body.meter_id);
  const label = `${meter?.name ?? "Meter"}: ${formatAmount(body.amount, meter?.unit)} on ${formatDate(body.date)}`;
  return queueWrite({ write: { kind: "record", body }, meterId: body.meter_id, key, label });
}
