/** A meter's mode (PRODUCT.md §10): records of amounts, or a cumulative register read off the meter. */
import type { Meter } from "@/lib/meters";

export type MeterMode = "consumption" | "readings";

export interface LastReading {
  taken_at: string;
  value: number;
}

/** A meter with the readings fields `GET /api/meters` answers (mode, rollover, plausibility limit, last reading). */
export type ModedMeter = Meter & {
  mode?: MeterMode;
  rollover_at?: number | null;
  max_per_day?: number | null;
  last_reading?: LastReading | null;
};

export const MODE_LABELS: Record<MeterMode, string> = { consumption: "Consumption (amounts)", readings: "Readings (the meter's register)" };

/** A meter without a mode is a consumption meter (the default). */
export function meterMode(meter: Meter): MeterMode {
  return (meter as ModedMeter).mode ?? "consumption";
}

export function isReadingsMeter(meter: Meter): meter is ModedMeter & { mode: "readings" } {
  return meterMode(meter) === "readings";
}
