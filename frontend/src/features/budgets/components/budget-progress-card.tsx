"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { Card, ErrorState } from "@/components/ui/states";
import { budgetsQuery } from "@/features/budgets/api/budgets";
import { budgetTarget, budgetUnit } from "@/features/budgets/utils/progress";
import { useHouseholdSettings } from "@/lib/household";
import { metersQuery } from "@/lib/meters";

import { BudgetProgressBar } from "./budget-progress";

/** The dashboard's compact list of the household's budgets and how far each has come this period. */
export function BudgetProgressCard() {
  const { currency } = useHouseholdSettings();
  const meters = useQuery(metersQuery());
  const budgets = useQuery(budgetsQuery());
  const link = (
    <Link href="/budgets" className="text-sm text-indigo-700 underline dark:text-indigo-300">
      {budgets.data?.length ? "All budgets" : "Set a budget"}
    </Link>
  );
  return (
    <Card title="Budgets" actions={link}>
      {budgets.error && !budgets.data ? (
        <ErrorState error={budgets.error} onRetry={() => void budgets.refetch()} />
      ) : !budgets.data ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">Loading budgets…</p>
      ) : budgets.data.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">No budgets yet: a budget alerts you before the month is over.</p>
      ) : (
        <ul className="space-y-3" data-testid="budget-card-list">
          {budgets.data.map((budget) => (
            <li key={budget.id}>
              <p className="text-sm font-medium text-slate-900 dark:text-slate-100">
                {budget.name} <span className="font-normal text-slate-600 dark:text-slate-300">· {budgetTarget(budget, meters.data)}</span>
              </p>
              <BudgetProgressBar budget={budget} unit={budgetUnit(budget, meters.data)} currency={currency} compact />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
