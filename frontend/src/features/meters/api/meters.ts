import { z } from "zod";

import { api } from "@/lib/api-client";
import type { components } from "@/lib/api-types";

export type Meter = components["schemas"]["MeterOut"];
export type MeterType = Meter["type"];
type MeterList = components["schemas"]["MeterList"];

export const METER_TYPES: MeterType[] = ["electricity", "water", "gas", "other"];
export const TYPE_LABELS: Record<MeterType, string> = { electricity: "Electricity", water: "Water", gas: "Gas", other: "Other" };
/** Units per type, canonical first (the API converts to the canonical unit when grouping by type). */
export const UNITS: Record<Exclude<MeterType, "other">, string[]> = {
  electricity: ["kWh", "Wh", "MWh"],
  water: ["m3", "L", "gal"],
  gas: ["m3", "ft3"],
};

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

export async function listMeters(): Promise<Meter[]> {
  const { data } = await api.get<MeterList>("/api/meters");
  return data.items;
}

export async function createMeter(input: MeterInput): Promise<Meter> {
  const { data } = await api.post<Meter>("/api/meters", input);
  return data;
}

export async function updateMeter(id: number, input: Partial<components["schemas"]["MeterUpdate"]>): Promise<Meter> {
  const { data } = await api.patch<Meter>(`/api/meters/${id}`, input);
  return data;
}

export async function deleteMeter(id: number, cascade = false): Promise<void> {
  await api.delete(`/api/meters/${id}`, { params: cascade ? { cascade: "true" } : undefined, silent: !cascade });
}
