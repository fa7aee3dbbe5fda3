/** What a value typed for a meter would mean against its last reading (PRODUCT.md §10's interval rules). */
import type { LastReading } from "@/lib/meter-modes";

const DAY_MS = 86_400_000;

export type Implied =
  /** The register went up (or stayed): consumption since the last reading. */
  | { kind: "increase"; amount: number; days: number; perDay: number | null; highRate: boolean }
  /** Lower, on a meter with a rollover: the register wrapped to 0 after ``rolloverAt``. */
  | { kind: "wrap"; amount: number; days: number; perDay: number | null; highRate: boolean; rolloverAt: number }
  /** Lower, without a rollover: refused by the API unless recorded as a replacement. */
  | { kind: "decrease"; amount: number; days: number }
  /** Taken at or before the last reading: it goes between older readings, which the API checks. */
  | { kind: "earlier" };

/** Thousandths as integers, so 0.1 + 0.2 stays 0.3 (values have at most 3 decimals). */
const milli = (value: number) => Math.round(value * 1000);

export function impliedConsumption(
  last: LastReading,
  value: number,
  takenAt: Date,
  meter: { rollover_at?: number | null; max_per_day?: number | null },
): Implied {
  const elapsed = takenAt.getTime() - new Date(last.taken_at).getTime();
  if (!(elapsed > 0)) return { kind: "earlier" };
  const days = elapsed / DAY_MS;
  const difference = milli(value) - milli(last.value);
  const rate = (amount: number) => {
    const limit = meter.max_per_day;
    // In thousandths: 19.6 over 7 days is exactly the limit 2.8 a day, not above it.
    const highRate = limit !== null && limit !== undefined && milli(amount) > milli(limit) * days;
    return { perDay: amount / days, highRate };
  };
  if (difference >= 0) {
    const amount = difference / 1000;
    return { kind: "increase", amount, days, ...rate(amount) };
  }
  const rollover = meter.rollover_at;
  if (rollover !== null && rollover !== undefined) {
    const amount = (milli(rollover) - milli(last.value) + milli(value)) / 1000;
    return { kind: "wrap", amount, days, rolloverAt: rollover, ...rate(amount) };
  }
  return { kind: "decrease", amount: difference / 1000, days };
}

/** Days as people say them: "3 days", "1 day", "5 hours" below a day. */
export function formatElapsed(days: number): string {
  if (days < 1) {
    const hours = Math.max(1, Math.round(days * 24));
    return `${hours} hour${hours === 1 ? "" : "s"}`;
  }
  const rounded = Math.round(days * 10) / 10;
  const text = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(rounded);
  return `${text} day${rounded === 1 ? "" : "s"}`;
}
