import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { client, type Schema } from "@/lib/api-client";
import { householdKey, withHousehold } from "@/lib/household";
import { UNITS } from "@/lib/meters";
import { queryRoots } from "@/lib/query-keys";

export const meterSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(64, "Name must be at most 64 characters"),
    type: z.enum(["electricity", "water", "gas", "other"]),
    unit: z.string().trim().min(1, "Unit is required").max(16, "Unit must be at most 16 characters"),
  })
  .refine((data) => data.type === "other" || UNITS[data.type].includes(data.unit), {
    path: ["unit"],
    message: "Choose a unit that suits the type",
  });
export type MeterInput = z.infer<typeof meterSchema>;

/** A meter change shows on the meters, in the records (meter names) and in the analytics. */
function useInvalidateAfterMeterChange() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryRoots.meters }),
      queryClient.invalidateQueries({ queryKey: queryRoots.records }),
      queryClient.invalidateQueries({ queryKey: queryRoots.analytics }),
    ]);
}

export function useCreateMeter() {
  const invalidate = useInvalidateAfterMeterChange();
  return useMutation({
    // The form shows the failure (a taken name under the name): silent, no toast.
    // The schema's refine pairs each type with its units, which is what the API's oneOf states.
    // A new meter belongs to the household on screen.
    mutationFn: (input: MeterInput) => client.POST("/api/meters", { body: withHousehold(input) as Schema<"MeterCreate">, silent: true }),
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
