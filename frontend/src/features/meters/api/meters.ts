import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { client, type Schema } from "@/lib/api-client";
import { decimalNumber } from "@/lib/forms";
import { householdKey, withHousehold } from "@/lib/household";
import type { ModedMeter } from "@/lib/meter-modes";
import type { Meter } from "@/lib/meters";
import { UNITS } from "@/lib/meters";
import { queryRoots } from "@/lib/query-keys";

/** An optional register figure (rollover, limit per day): empty, or > 0 with at most 3 decimals and < 10^12. */
function optionalRegister(label: string) {
  return z.union([
    z.literal(""),
    z
      .string()
      .trim()
      .regex(/^(\d+[.,]?\d*|[.,]\d+)$/, `${label} must be a number, such as 99999.9`)
      .refine((value) => (value.split(/[.,]/)[1] ?? "").length <= 3, `${label} must have at most 3 decimal places`)
      .refine((value) => decimalNumber(value) > 0, `${label} must be more than 0`)
      .refine((value) => decimalNumber(value) < 1_000_000_000_000, `${label} must be less than 1,000,000,000,000`),
  ]);
}

export const meterSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(64, "Name must be at most 64 characters"),
    type: z.enum(["electricity", "water", "gas", "other"]),
    unit: z.string().trim().min(1, "Unit is required").max(16, "Unit must be at most 16 characters"),
    mode: z.enum(["consumption", "readings"]),
    rollover_at: optionalRegister("Rollover"),
    max_per_day: optionalRegister("Limit per day"),
  })
  .refine((data) => data.type === "other" || UNITS[data.type].includes(data.unit), {
    path: ["unit"],
    message: "Choose a unit that suits the type",
  });
export type MeterInput = z.infer<typeof meterSchema>;

/** The fields of a meter the form shows (a readings meter's rollover and limit as text). */
export function meterDefaults(meter?: ModedMeter): MeterInput {
  if (!meter) return { name: "", type: "electricity", unit: "kWh", mode: "consumption", rollover_at: "", max_per_day: "" };
  const text = (value: number | null | undefined) => (value === null || value === undefined ? "" : String(value));
  return {
    name: meter.name,
    type: meter.type,
    unit: meter.unit,
    mode: meter.mode ?? "consumption",
    rollover_at: text(meter.rollover_at),
    max_per_day: text(meter.max_per_day),
  };
}

const registerNumber = (value: string) => (value === "" ? null : decimalNumber(value));

/** A new meter's body: a consumption meter is the default and sends no readings settings. */
export function toMeterCreate(input: MeterInput) {
  const { mode, rollover_at, max_per_day, ...meter } = input;
  if (mode === "consumption") return meter;
  return { ...meter, mode, rollover_at: registerNumber(rollover_at), max_per_day: registerNumber(max_per_day) };
}

/** What changed on ``meter``: a PATCH sends only that (a mode change is refused with 409 once the meter has data). */
export function toMeterUpdate(meter: ModedMeter, input: MeterInput) {
  const before = meterDefaults(meter);
  const changes: Partial<Pick<Meter, "name" | "type" | "unit" | "mode" | "rollover_at" | "max_per_day">> = { name: input.name };
  if (input.type !== before.type || input.unit !== before.unit) Object.assign(changes, { type: input.type, unit: input.unit });
  if (input.mode !== before.mode) changes.mode = input.mode;
  if (input.mode === "readings") {
    if (input.rollover_at !== before.rollover_at) changes.rollover_at = registerNumber(input.rollover_at);
    if (input.max_per_day !== before.max_per_day) changes.max_per_day = registerNumber(input.max_per_day);
  }
  return changes;
}

/** A meter change shows on the meters, in the records (meter names), the readings (a deleted meter's) and the analytics. */
function useInvalidateAfterMeterChange() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryRoots.meters }),
      queryClient.invalidateQueries({ queryKey: queryRoots.records }),
      queryClient.invalidateQueries({ queryKey: queryRoots.readings }),
      queryClient.invalidateQueries({ queryKey: queryRoots.analytics }),
    ]);
}

export function useCreateMeter() {
  const invalidate = useInvalidateAfterMeterChange();
  return useMutation({
    // The form shows the failure (a taken name under the name): silent, no toast.
    // The schema's refine pairs each type with its units, which is what the API's oneOf states.
    // A new meter belongs to the household on screen.
    mutationFn: (input: MeterInput) =>
      client.POST("/api/meters", { body: withHousehold(toMeterCreate(input)) as Schema<"MeterCreate">, silent: true }),
    onSuccess: invalidate,
  });
}

export function useUpdateMeter() {
  const invalidate = useInvalidateAfterMeterChange();
  return useMutation({
    /** ``silent`` when the caller shows the failure itself (the form does; archiving does not). */
    mutationFn: ({ id, changes, silent = false }: { id: number; changes: Schema<"MeterUpdate">; silent?: boolean }) =>
      client.PATCH("/api/meters/{meter_id}", { path: { meter_id: id }, body: changes, silent }),
    onSuccess: invalidate,
  });
}

/** Without ``cascade`` a meter with records answers 409 (silently: the page offers the cascade). */
export function useDeleteMeter() {
  const invalidate = useInvalidateAfterMeterChange();
  return useMutation({
    mutationFn: ({ id, cascade }: { id: number; cascade: boolean }) =>
      client.DELETE("/api/meters/{meter_id}", { path: { meter_id: id }, query: cascade ? { cascade: true } : {}, silent: !cascade }),
    onSuccess: invalidate,
  });
}

/** A meter's latest record, and (as the page's total) how many it has: what the list and the delete warning show. */
export const latestRecordQuery = (meterId: number) =>
  queryOptions({
    queryKey: [...queryRoots.records, "latest", householdKey(), meterId] as const,
    queryFn: ({ signal }) =>
      client.GET("/api/records", {
        query: withHousehold({ meter_id: meterId, sort: "-date" as const, page: 1, per_page: 1 }),
        signal,
        silent: true,
      }),
  });

/** How many readings a readings meter has (the delete warning's count). */
export const readingCountQuery = (meterId: number) =>
  queryOptions({
    queryKey: [...queryRoots.readings, "count", householdKey(), meterId] as const,
    queryFn: async ({ signal }) =>
      (await client.GET("/api/readings", { query: withHousehold({ meter_id: meterId, page: 1, per_page: 1 }), signal, silent: true }))
        .total,
  });

/** Every meter's total this month to date (in its own unit), against the same days of last month. */
export const meterMonthQuery = (today: string) =>
  queryOptions({
    queryKey: [...queryRoots.analytics, "meters-month", householdKey(), today] as const,
    queryFn: ({ signal }) =>
      client.GET("/api/analytics/summary", {
        query: withHousehold({ group_by: "meter" as const, date_from: `${today.slice(0, 8)}01`, date_to: today }),
        signal,
        silent: true,
      }),
  });
