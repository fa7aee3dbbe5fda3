import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { api } from "@/lib/api-client";
import { decimalNumber, decimalString, isoDate } from "@/lib/forms";
import { householdKey } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

// Tariff versions of a meter (PRODUCT.md §11): each applies from valid_from to the day before the next one.
export interface Tariff {
  id: number;
  meter_id: number;
  valid_from: string;
  unit_price: number | string;
  standing_charge: number | string;
  tax_pct: number | string;
  created_at: string;
}
export interface TariffBody {
  valid_from: string;
  unit_price: number;
  standing_charge: number;
  tax_pct: number;
}
/** What a change would do to the meter's past costs (`?dry_run=true`): nothing is saved. */
export interface TariffDryRun {
  days: number;
  cost_before: number | string;
  cost_after: number | string;
  difference: number | string;
}

/** A tariff as the form holds it: decimals typed as text (a decimal comma is a point). */
export const tariffSchema = z.object({
  valid_from: isoDate,
  unit_price: decimalString(6, "Unit price"),
  standing_charge: decimalString(6, "Standing charge"),
  tax_pct: decimalString(3, "Tax").refine((value) => decimalNumber(value) <= 100, "Tax must be at most 100%"),
});
export type TariffInput = z.infer<typeof tariffSchema>;

export function tariffBody(input: TariffInput): TariffBody {
  return {
    valid_from: input.valid_from,
    unit_price: decimalNumber(input.unit_price),
    standing_charge: decimalNumber(input.standing_charge),
    tax_pct: decimalNumber(input.tax_pct),
  };
}

export const tariffKeys = {
  all: queryRoots.tariffs,
  list: (meterId: number) => [...queryRoots.tariffs, householdKey(), meterId] as const,
};

/** A meter's tariff versions, newest first. */
export const tariffsQuery = (meterId: number) =>
  queryOptions({
    queryKey: tariffKeys.list(meterId),
    queryFn: async ({ signal }) => {
      const { data } = await api.get<{ items: Tariff[] } | Tariff[]>(`/api/meters/${meterId}/tariffs`, { signal, silent: true });
      const items = Array.isArray(data) ? data : data.items;
      return [...items].sort((a, b) => b.valid_from.localeCompare(a.valid_from));
    },
  });

/** A change to a tariff: a new one, an edit (id), or a deletion. */
export type TariffChange =
  | { kind: "create"; meterId: number; body: TariffBody }
  | { kind: "update"; meterId: number; id: number; body: Partial<TariffBody> }
  | { kind: "delete"; meterId: number; id: number };

function send<T>(change: TariffChange, dryRun: boolean): Promise<T> {
  const base = `/api/meters/${change.meterId}/tariffs`;
  const params = dryRun ? { dry_run: true } : undefined;
  // Forms and dialogs show the failure themselves: silent.
  const request =
    change.kind === "create"
      ? api.post<T>(base, change.body, { params, silent: true })
      : change.kind === "update"
        ? api.patch<T>(`${base}/${change.id}`, change.body, { params, silent: true })
        : api.delete<T>(`${base}/${change.id}`, { params, silent: true });
  return request.then((response) => response.data);
}

/** What the change would do to past costs, asked before it is saved. */
export function useTariffDryRun() {
  return useMutation({ mutationFn: (change: TariffChange) => send<TariffDryRun>(change, true) });
}

/** Saves the change: the tariffs, and every cost (analytics, bills' computed side), change with it. */
export function useApplyTariff() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: TariffChange) => send<unknown>(change, false),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryRoots.tariffs }),
        queryClient.invalidateQueries({ queryKey: queryRoots.analytics }),
        queryClient.invalidateQueries({ queryKey: queryRoots.bills }),
      ]),
  });
}
