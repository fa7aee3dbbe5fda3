import type { TariffDryRun } from "@/features/tariffs/api/tariffs";
import { formatMoney } from "@/lib/format";

/** "+$12.40": a difference with its sign, in the household's currency. */
export function signedMoney(value: number, currency: string): string {
  const sign = value > 0 ? "+" : value < 0 ? "−" : "";
  return `${sign}${formatMoney(Math.abs(value), currency)}`;
}

/** The sentence a dry run answers with: what the change does to the meter's past costs. */
export function dryRunSentence(result: TariffDryRun, currency: string): string {
  const difference = Number(result.difference);
  const days = `${result.days.toLocaleString()} day${result.days === 1 ? "" : "s"}`;
  if (result.days === 0) return "No past costs change: no day up to today is priced differently.";
  if (difference === 0) return `Past costs do not change over ${days}.`;
  return `Past costs change by ${signedMoney(difference, currency)} over ${days}.`;
}

/** The dry run's answer shown before a change is saved, with the totals before and after. */
export function DryRunSummary({ result, currency }: { result: TariffDryRun; currency: string }) {
  return (
    <div
      role="status"
      data-testid="tariff-dry-run"
      className="rounded-md border border-indigo-200 bg-indigo-50 p-3 text-sm text-slate-800 dark:border-indigo-800 dark:bg-indigo-950 dark:text-slate-100"
    >
      <p className="font-medium">{dryRunSentence(result, currency)}</p>
      {result.days > 0 && (
        <p className="mt-1 text-slate-600 dark:text-slate-300">
          {formatMoney(Number(result.cost_before), currency)} before, {formatMoney(Number(result.cost_after), currency)} after.
        </p>
      )}
    </div>
  );
}
