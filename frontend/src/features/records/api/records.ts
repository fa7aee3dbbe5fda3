import type { AxiosProgressEvent } from "axios";
import { z } from "zod";

import { api } from "@/lib/api-client";
import type { components } from "@/lib/api-types";
import { decimalString, isoDate } from "@/lib/forms";

export type RecordItem = components["schemas"]["RecordOut"];
export type RecordPage = components["schemas"]["RecordPage"];
type MeterType = RecordItem["type"];
export type Sort = "date" | "-date" | "amount" | "-amount" | "created_at" | "-created_at";

export interface RecordFilters {
  meter_id?: number;
  type?: MeterType[];
  date_from?: string;
  date_to?: string;
  q?: string;
  sort: Sort;
  page: number;
  per_page: number;
}

export const defaultFilters: RecordFilters = { sort: "-date", page: 1, per_page: 20 };

/** The form's values are strings (what inputs hold); the API gets numbers. */
export const recordSchema = z.object({
  meter_id: z.string().min(1, "Choose a meter"),
  date: isoDate,
  amount: decimalString(3, "Amount"),
  cost: z.union([z.literal(""), decimalString(2, "Cost")]),
  note: z.string().max(500, "Note must be at most 500 characters"),
});
export type RecordInput = z.infer<typeof recordSchema>;

export function toRecordBody(input: RecordInput): components["schemas"]["RecordCreate"] {
  const note = input.note.trim();
  return {
    meter_id: Number(input.meter_id),
    date: input.date,
    amount: Number(input.amount),
    cost: input.cost === "" ? null : Number(input.cost),
    note: note === "" ? null : note,
  };
}

/** Query parameters for the list and the export: repeatable `type`, nothing empty. */
export function filterParams(filters: Partial<RecordFilters>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === "" || value === null) continue;
    if (Array.isArray(value)) value.forEach((item) => params.append(key, String(item)));
    else params.set(key, String(value));
  }
  return params;
}

export async function listRecords(filters: RecordFilters): Promise<RecordPage> {
  const { data } = await api.get<RecordPage>("/api/records", { params: filterParams(filters) });
  return data;
}

export async function createRecord(input: RecordInput): Promise<RecordItem> {
  const { data } = await api.post<RecordItem>("/api/records", toRecordBody(input));
  return data;
}

export async function replaceRecord(id: number, input: RecordInput): Promise<RecordItem> {
  const { data } = await api.put<RecordItem>(`/api/records/${id}`, toRecordBody(input));
  return data;
}

export async function deleteRecord(id: number): Promise<void> {
  await api.delete(`/api/records/${id}`);
}

export interface ImportResult {
  imported: number;
  skipped_duplicates: number;
  meters_created?: string[];
  dry_run?: boolean;
  errors: unknown[];
}

/** Upload a CSV; failures (422 with per-row details) are thrown as ApiError with rowErrors. */
export async function importRecords(file: File, onProgress: (fraction: number) => void): Promise<ImportResult> {
  const body = new FormData();
  body.append("file", file);
  const { data } = await api.post<ImportResult>("/api/records/import", body, {
    onUploadProgress: (event: AxiosProgressEvent) => onProgress(event.total ? event.loaded / event.total : event.progress ?? 0),
  });
  return data;
}

/** Download the export with the current filters (the bearer token rules out a plain link). */
export async function exportRecords(filters: RecordFilters, format: "csv" | "json"): Promise<{ blob: Blob; filename: string }> {
  const { page: _page, per_page: _perPage, ...rest } = filters;
  const params = filterParams({ ...rest });
  params.set("format", format);
  const response = await api.get<Blob>("/api/records/export", { params, responseType: "blob" });
  const disposition = String(response.headers["content-disposition"] ?? "");
  const match = /filename="?([^";]+)"?/.exec(disposition);
  return { blob: response.data, filename: match?.[1] ?? `meterbook-records.${format}` };
}
