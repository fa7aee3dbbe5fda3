/** A meter's mode (PRODUCT.md §10): records of amounts, or a cumulative register read off the meter. */
import type { Schema } from "@/lib/api-client";
import type { Meter } from "@/lib/meters";

export type MeterMode = NonNullable<Meter["mode"]>;
export type LastReading = Schema<"LastReading">;
/** A meter with its readings fields (mode, rollover, limit per day, last reading): every meter the API answers. */
export type ModedMeter = Meter;

export const MODE_LABELS: Record<MeterMode, string> = { consumption: "Consumption (amounts)", readings: "Readings (the meter's register)" };

export function isReadingsMeter(meter: Meter): meter is Meter & { mode: "readings" } {
  return meter.mode === "readings";
}
