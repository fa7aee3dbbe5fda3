import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { client, type Schema } from "@/lib/api-client";
import { decimalNumber, decimalString, isoDate } from "@/lib/forms";
import { householdKey, withHousehold } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

// Bills (PRODUCT.md §11): what was billed for a meter over some days, beside what the readings and tariffs
// say for the same days (`computed`) and the difference (billed − computed).
export type Bill = Schema<"BillOut">;
export type BillBody = Schema<"BillCreate">;

/** The API refuses a bill over more than 400 days. */
export const MAX_BILL_DAYS = 400;

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

export const billSchema = z
  .object({
    meter_id: z.string().regex(/^\d+$/, "Choose a meter"),
    period_from: isoDate,
    period_to: isoDate,
    amount: z.union([z.literal(""), decimalString(3, "Billed amount")]),
    cost: decimalString(2, "Billed cost"),
    note: z.string().trim().max(500, "Note must be at most 500 characters"),
  })
  .refine((bill) => bill.period_to >= bill.period_from, { path: ["period_to"], message: "The end must not be before the start" })
  .refine((bill) => bill.period_to < bill.period_from || daysBetween(bill.period_from, bill.period_to) <= MAX_BILL_DAYS, {
    path: ["period_to"],
    message: `A bill covers at most ${MAX_BILL_DAYS} days`,
  });
export type BillInput = z.infer<typeof billSchema>;

export function billBody(input: BillInput): BillBody {
  return {
    meter_id: Number(input.meter_id),
    period_from: input.period_from,
    period_to: input.period_to,
    amount: input.amount === "" ? null : decimalNumber(input.amount),
    cost: decimalNumber(input.cost),
    note: input.note.trim() || null,
  };
}

/** Bills a page (the API's largest page): a household rarely has more, and a page holds them all. */
export const BILLS_PER_PAGE = 100;

export const billKeys = {
  all: queryRoots.bills,
  list: (meterId: number | undefined, page: number) => [...queryRoots.bills, householdKey(), { meter_id: meterId ?? null, page }] as const,
};

/** The household's bills (of one meter when asked), newest period first (the API's order). */
export const billsQuery = (meterId: number | undefined, page = 1) =>
  queryOptions({
    queryKey: billKeys.list(meterId, page),
    queryFn: ({ signal }) =>
      client.GET("/api/bills", {
        query: withHousehold({ meter_id: meterId, page, per_page: BILLS_PER_PAGE }),
        signal,
        silent: true,
      }),
    placeholderData: keepPreviousData,
  });

function useInvalidateBills() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryRoots.bills });
}

/** Adds a bill (no id) or changes one (its meter stays); the form shows the failure (silent). */
export function useSaveBill() {
  const invalidate = useInvalidateBills();
  return useMutation({
    mutationFn: ({ id, body }: { id?: number; body: BillBody }) => {
      if (id === undefined)
        // A new bill is the current household's (the API refuses a meter of another one).
        return client.POST("/api/bills", { body: withHousehold(body), silent: true });
      const { meter_id: _meter, household_id: _household, ...changes } = body;
      return client.PATCH("/api/bills/{bill_id}", { path: { bill_id: id }, body: changes, silent: true });
    },
    onSuccess: invalidate,
  });
}

export function useDeleteBill() {
  const invalidate = useInvalidateBills();
  return useMutation({
    mutationFn: (id: number) => client.DELETE("/api/bills/{bill_id}", { path: { bill_id: id } }),
    onSuccess: invalidate,
  });
}
