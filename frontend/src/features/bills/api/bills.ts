import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { api } from "@/lib/api-client";
import { decimalNumber, decimalString, isoDate } from "@/lib/forms";
import { householdKey, withHousehold } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

// Bills (PRODUCT.md §11): what was billed for a meter over some days, beside what the readings and tariffs say.
type Decimal = number | string;
export interface Bill {
  id: number;
  household_id: number;
  meter_id: number;
  period_from: string;
  period_to: string;
  amount: Decimal | null;
  cost: Decimal;
  note: string | null;
  attachment_ids?: number[];
  created_at: string;
  /** The same meter and days, computed from the records and tariffs. */
  computed: { amount: Decimal; cost: Decimal };
  /** Billed − computed; cost_pct is of the computed cost, null when that is 0. */
  difference: { amount: Decimal | null; cost: Decimal; cost_pct: Decimal | null };
}
export interface BillBody {
  meter_id: number;
  period_from: string;
  period_to: string;
  amount: number | null;
  cost: number;
  note: string | null;
}

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

export const billKeys = {
  all: queryRoots.bills,
  list: (meterId: number | undefined) => [...queryRoots.bills, householdKey(), { meter_id: meterId ?? null }] as const,
};

/** The household's bills (of one meter when asked), newest period first. */
export const billsQuery = (meterId?: number) =>
  queryOptions({
    queryKey: billKeys.list(meterId),
    queryFn: async ({ signal }) => {
      const { data } = await api.get<{ items: Bill[] } | Bill[]>("/api/bills", {
        params: withHousehold(meterId ? { meter_id: meterId } : {}),
        signal,
        silent: true,
      });
      const items = Array.isArray(data) ? data : data.items;
      return [...items].sort((a, b) => b.period_from.localeCompare(a.period_from) || b.id - a.id);
    },
    placeholderData: keepPreviousData,
  });

function useInvalidateBills() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryRoots.bills });
}

/** Adds a bill (no id) or changes one; the form shows the failure (silent). */
export function useSaveBill() {
  const invalidate = useInvalidateBills();
  return useMutation({
    mutationFn: async ({ id, body }: { id?: number; body: BillBody }) =>
      // A new bill is the current household's (the API refuses a meter of another one).
      (id
        ? await api.patch<Bill>(`/api/bills/${id}`, body, { silent: true })
        : await api.post<Bill>("/api/bills", withHousehold(body), { silent: true })
      ).data,
    onSuccess: invalidate,
  });
}

export function useDeleteBill() {
  const invalidate = useInvalidateBills();
  return useMutation({
    mutationFn: async (id: number) => {
      await api.delete(`/api/bills/${id}`);
    },
    onSuccess: invalidate,
  });
}
