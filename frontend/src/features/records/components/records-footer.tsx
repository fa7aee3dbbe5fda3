"use client";

import type { Schema } from "@/lib/api-client";
import { formatAmount, formatMoney } from "@/lib/format";

/** The filtered set's totals (of the matching records when the note is searched), or still loading. */
export type Totals = { summary: Schema<"Summary">; search: boolean } | { loading: true };

/** Count, total per type in its unit and cost of every record the filters match (all pages). */
export function RecordsFooter({ count, totals, currency }: { count: number; totals: Totals; currency: string }) {
  const groups = "summary" in totals ? totals.summary.groups.filter((group) => group.count > 0) : [];
  const cost = groups.reduce((sum, group) => sum + (group.cost_total ?? 0), 0);
  const parts = [
    `${count.toLocaleString()} ${count === 1 ? "record" : "records"}`,
    ...groups.map((group) => `${group.label} ${formatAmount(group.total, group.unit)}`),
    ...(groups.length ? [`Cost ${formatMoney(Math.round(cost * 100) / 100, currency)}`] : []),
  ];
  return (
    <p className="mt-3 border-t border-slate-200 pt-2 text-sm font-medium tabular-nums dark:border-slate-700" data-testid="records-footer">
      {parts.join(" · ")}
      {"summary" in totals && totals.search && groups.length > 0 && (
        <span className="font-normal text-slate-500 dark:text-slate-400"> (costs entered on these records, no tariff charges)</span>
      )}
    </p>
  );
}
