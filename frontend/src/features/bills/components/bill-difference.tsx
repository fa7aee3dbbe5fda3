import type { Bill } from "@/features/bills/api/bills";
import { formatMoney, formatPercent } from "@/lib/format";

export type DifferenceTone = "more" | "less" | "matches";

export function differenceTone(bill: Bill): DifferenceTone {
  const cost = bill.difference.cost;
  return cost > 0 ? "more" : cost < 0 ? "less" : "matches";
}

/** "Billed $12.40 more than your readings say" / "… less …" / "Billed as your readings say". */
export function differenceSentence(bill: Bill, currency: string): string {
  const cost = bill.difference.cost;
  const tone = differenceTone(bill);
  if (tone === "matches") return "Billed as your readings say";
  return `Billed ${formatMoney(Math.abs(cost), currency)} ${tone} than your readings say`;
}

const TONES: Record<DifferenceTone, string> = {
  // Paying more than the readings say is the case to act on.
  more: "text-red-700 dark:text-red-400",
  less: "text-amber-700 dark:text-amber-300",
  matches: "text-emerald-700 dark:text-emerald-400",
};

/** A bill's difference (billed − computed) in colour, with its sentence. */
export function BillDifference({ bill, currency }: { bill: Bill; currency: string }) {
  const tone = differenceTone(bill);
  const pct = bill.difference.cost_pct;
  return (
    <p className={`text-sm font-medium ${TONES[tone]}`} data-testid={`bill-difference-${bill.id}`} data-tone={tone}>
      {differenceSentence(bill, currency)}
      {tone !== "matches" && pct !== null && ` (${formatPercent(pct)})`}
    </p>
  );
}
