/** Meters as every feature sees them: the cached list, types, labels and units. */
import { queryOptions } from "@tanstack/react-query";

import { client, type Schema } from "@/lib/api-client";
import { householdKey, withHousehold } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

export type Meter = Schema<"MeterOut">;
export type MeterType = Meter["type"];

export const METER_TYPES: MeterType[] = ["electricity", "water", "gas", "other"];
export const TYPE_LABELS: Record<MeterType, string> = { electricity: "Electricity", water: "Water", gas: "Gas", other: "Other" };
/** Units per type, canonical first (the API converts to the canonical unit when grouping by type). */
export const UNITS: Record<Exclude<MeterType, "other">, string[]> = {
  electricity: ["kWh", "Wh", "MWh"],
  water: ["m3", "L", "gal"],
  gas: ["m3", "ft3"],
};

/** Every meter of the current household, archived ones included. */
export const metersQuery = () =>
  queryOptions({
    queryKey: [...queryRoots.meters, householdKey()] as const,
    queryFn: async ({ signal }) => (await client.GET("/api/meters", { query: withHousehold({}), signal, silent: true })).items,
  });
