"use client";

import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import type { Summary } from "@/features/analytics/api/analytics";
import type { ApiError } from "@/lib/api-client";
import { formatMoney } from "@/lib/format";

/** Cents added exactly (the API rounds each part to cents). */
function sum(values: number[]): number {
  return Math.round(values.reduce((total, value) => total + Math.round(value * 100), 0)) / 100;
}

/** The period's cost in its parts: usage (entered costs and tariff prices), standing charges and tax, per type. */
export function CostBreakdownCard({
  summary,
  error,
  currency,
  onRetry,
}: {
  summary: Summary | undefined;
  error: ApiError | null;
  currency: string;
  onRetry(): void;
}) {
  const groups = summary?.groups ?? [];
  const parts = (group: Summary["groups"][number]) => [group.cost_usage, group.cost_standing, group.cost_tax];
  const totals = [0, 1, 2].map((index) => sum(groups.map((group) => parts(group)[index]!)));
  const money = (value: number) => formatMoney(value, currency);
  return (
    <Card title="Cost breakdown">
      {error ? (
        <ErrorState error={error} onRetry={onRetry} />
      ) : !summary ? (
        <Spinner label="Loading the cost breakdown" />
      ) : groups.length === 0 ? (
        <EmptyState title="No costs in this period" />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="cost-breakdown">
            <thead>
              <tr className="text-left text-slate-600 dark:text-slate-300">
                <th scope="col" className="py-1 pr-3 font-medium">
                  <span className="sr-only">Type</span>
                </th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">
                  Usage
                </th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">
                  Standing
                </th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">
                  Tax
                </th>
                <th scope="col" className="py-1 text-right font-medium">
                  Total
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 tabular-nums dark:divide-slate-800">
              {groups.map((group) => {
                const [usage, standing, tax] = parts(group);
                return (
                  <tr key={group.key} data-testid={`cost-breakdown-${group.key}`}>
                    <th scope="row" className="py-1 pr-3 text-left font-normal">
                      {group.label}
                    </th>
                    <td className="py-1 pr-3 text-right">{money(usage!)}</td>
                    <td className="py-1 pr-3 text-right">{money(standing!)}</td>
                    <td className="py-1 pr-3 text-right">{money(tax!)}</td>
                    <td className="py-1 text-right font-medium">{money(group.cost_total)}</td>
                  </tr>
                );
              })}
            </tbody>
            {groups.length > 1 && (
              <tfoot>
                <tr data-testid="cost-breakdown-total" className="border-t border-slate-200 font-medium dark:border-slate-700">
                  <th scope="row" className="py-1 pr-3 text-left">
                    Total
                  </th>
                  <td className="py-1 pr-3 text-right">{money(totals[0]!)}</td>
                  <td className="py-1 pr-3 text-right">{money(totals[1]!)}</td>
                  <td className="py-1 pr-3 text-right">{money(totals[2]!)}</td>
                  <td className="py-1 text-right">{money(sum(groups.map((group) => group.cost_total)))}</td>
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      )}
    </Card>
  );
}
