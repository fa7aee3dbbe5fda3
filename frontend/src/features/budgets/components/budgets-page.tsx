"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { budgetsQuery, useDeleteBudget, type Budget } from "@/features/budgets/api/budgets";
import { budgetTarget, budgetUnit } from "@/features/budgets/utils/progress";
import { useCanWrite, useHouseholdSettings } from "@/lib/household";
import { metersQuery } from "@/lib/meters";

import { BudgetForm } from "./budget-form";
import { BudgetProgressBar } from "./budget-progress";

const PERIOD_LABELS = { month: "Calendar month", billing: "Billing period" } as const;

/** `/budgets`: the household's budgets with their progress; editors and owners add, edit and delete them. */
export function BudgetsPage() {
  const toast = useToast();
  const { currency } = useHouseholdSettings();
  const canWrite = useCanWrite();
  const meters = useQuery(metersQuery());
  const budgets = useQuery(budgetsQuery());
  const deleteBudget = useDeleteBudget();
  const [editing, setEditing] = useState<Budget | "new" | null>(null);
  const [deleting, setDeleting] = useState<Budget | null>(null);

  const confirmDelete = async () => {
    if (!deleting) return;
    try {
      await deleteBudget.mutateAsync(deleting.id);
      toast("Budget deleted.", "success");
      setDeleting(null);
    } catch {
      // the toast shows the failure
    }
  };

  return (
    <>
      <PageHeader
        title="Budgets"
        actions={
          canWrite && (
            <Button onClick={() => setEditing("new")} disabled={!meters.data}>
              Add budget
            </Button>
          )
        }
      />
      {budgets.error && !budgets.data ? (
        <ErrorState error={budgets.error} onRetry={() => void budgets.refetch()} />
      ) : !budgets.data ? (
        <Spinner label="Loading budgets" />
      ) : budgets.data.length === 0 ? (
        <Card>
          <EmptyState title="No budgets yet">
            A budget limits a meter or a type per month or billing period, and alerts you as it fills up and when its forecast goes over.
          </EmptyState>
        </Card>
      ) : (
        <ul className="grid grid-cols-1 gap-4 lg:grid-cols-2" aria-label="Budgets">
          {budgets.data.map((budget) => (
            <li
              key={budget.id}
              data-testid={`budget-${budget.id}`}
              className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900"
            >
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div>
                  <h2 className="font-semibold text-slate-900 dark:text-slate-100">{budget.name}</h2>
                  <p className="text-sm text-slate-600 dark:text-slate-300">
                    {budgetTarget(budget, meters.data)} · {PERIOD_LABELS[budget.period]}
                  </p>
                </div>
                {canWrite && (
                  <div className="flex gap-1">
                    <Button variant="ghost" aria-label={`Edit ${budget.name}`} onClick={() => setEditing(budget)}>
                      Edit
                    </Button>
                    <Button variant="danger-ghost" aria-label={`Delete ${budget.name}`} onClick={() => setDeleting(budget)}>
                      Delete
                    </Button>
                  </div>
                )}
              </div>
              <BudgetProgressBar budget={budget} unit={budgetUnit(budget, meters.data)} currency={currency} />
            </li>
          ))}
        </ul>
      )}
      <Dialog open={editing !== null} title={editing === "new" ? "Add budget" : "Edit budget"} onClose={() => setEditing(null)}>
        {editing !== null && meters.data && (
          <BudgetForm
            key={editing === "new" ? "new" : editing.id}
            budget={editing === "new" ? undefined : editing}
            meters={meters.data}
            currency={currency}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              toast(editing === "new" ? "Budget added." : "Budget saved.", "success");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this budget?"
        message={deleting && `The budget “${deleting.name}” will be deleted. Alerts already raised stay in the notifications.`}
        busy={deleteBudget.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
