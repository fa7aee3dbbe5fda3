import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { client, type Schema } from "@/lib/api-client";
import { decimalNumber, decimalString, isoDate } from "@/lib/forms";
import { householdKey } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

// Tariff versions of a meter (PRODUCT.md §11): each applies from valid_from to the day before the next one.
export type Tariff = Schema<"TariffOut">;
export type TariffBody = Schema<"TariffCreate">;
/** What a change would do to the meter's past costs (`?dry_run=true`): nothing is saved. */
export type TariffDryRun = Schema<"CostChange">;

/** A tariff as the form holds it: decimals typed as text (a decimal comma is a point). */
export const tariffSchema = z.object({
  valid_from: isoDate,
  unit_price: decimalString(6, "Unit price"),
  standing_charge: decimalString(6, "Standing charge"),
  tax_pct: decimalString(3, "Tax").refine((value) => decimalNumber(value) <= 100, "Tax must be at most 100%"),
});
export type TariffInput = z.infer<typeof tariffSchema>;

export function tariffBody(input: TariffInput): Required<TariffBody> {
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
      const { items } = await client.GET("/api/meters/{meter_id}/tariffs", { path: { meter_id: meterId }, signal, silent: true });
      return [...items].sort((a, b) => b.valid_from.localeCompare(a.valid_from));
    },
  });

/** A change to a tariff: a new one, an edit (id), or a deletion. */
export type TariffChange =
  | { kind: "create"; meterId: number; body: TariffBody }
  | { kind: "update"; meterId: number; id: number; body: Schema<"TariffUpdate"> }
  | { kind: "delete"; meterId: number; id: number };

/** Sends the change, or with ``dryRun`` asks what it would do (the API then answers 200 with the cost change). */
function send(change: TariffChange, dryRun: boolean) {
  const path = { meter_id: change.meterId };
  const query = dryRun ? { dry_run: true } : {};
  // Forms and dialogs show the failure themselves: silent.
  if (change.kind === "create") return client.POST("/api/meters/{meter_id}/tariffs", { path, query, body: change.body, silent: true });
  const item = { ...path, tariff_id: change.id };
  if (change.kind === "update")
    return client.PATCH("/api/meters/{meter_id}/tariffs/{tariff_id}", { path: item, query, body: change.body, silent: true });
  return client.DELETE("/api/meters/{meter_id}/tariffs/{tariff_id}", { path: item, query, silent: true });
}

/** What the change would do to past costs, asked before it is saved. */
export function useTariffDryRun() {
  // The answer of a dry run is the cost change (200), whatever the method.
  return useMutation({ mutationFn: async (change: TariffChange) => (await send(change, true)) as TariffDryRun });
}

/** Saves the change: the tariffs, and every cost (analytics, bills' computed side), change with it. */
export function useApplyTariff() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (change: TariffChange) => {
      await send(change, false);
    },
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryRoots.tariffs }),
        queryClient.invalidateQueries({ queryKey: queryRoots.analytics }),
        queryClient.invalidateQueries({ queryKey: queryRoots.bills }),
      ]),
  });
}
