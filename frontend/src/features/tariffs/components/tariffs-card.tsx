"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { tariffsQuery, useApplyTariff, useTariffDryRun, type Tariff, type TariffChange } from "@/features/tariffs/api/tariffs";
import { ApiError } from "@/lib/api-client";
import { formatDate, formatNumber, formatUnit } from "@/lib/format";
import { useCanWrite } from "@/lib/household";

import { DryRunSummary } from "./dry-run-summary";
import { TariffForm } from "./tariff-form";

/** "to 11/30/2026" for a version followed by another (the API's valid_to), "onwards" for the newest. */
function until(tariff: Tariff): string {
  return tariff.valid_to ? `to ${formatDate(tariff.valid_to)}` : "onwards";
}

/** A meter's tariff versions as a dated list; editors add, edit and delete them, each after seeing what it does to past costs. */
export function TariffsCard({ meterId, unit, currency, today }: { meterId: number; unit: string; currency: string; today: string }) {
  const toast = useToast();
  const canWrite = useCanWrite();
  const tariffs = useQuery(tariffsQuery(meterId));
  const [editing, setEditing] = useState<Tariff | "new" | null>(null);
  const [deleting, setDeleting] = useState<Tariff | null>(null);
  const [deleteError, setDeleteError] = useState<string>();
  const dryRun = useTariffDryRun();
  const apply = useApplyTariff();

  const askDelete = (tariff: Tariff) => {
    setDeleting(tariff);
    setDeleteError(undefined);
    dryRun.reset();
    dryRun.mutate({ kind: "delete", meterId, id: tariff.id });
  };
  const confirmDelete = async () => {
    if (!deleting) return;
    const change: TariffChange = { kind: "delete", meterId, id: deleting.id };
    try {
      await apply.mutateAsync(change);
      toast("Tariff deleted.", "success");
      setDeleting(null);
    } catch (error) {
      setDeleteError(error instanceof ApiError ? error.message : "Something went wrong.");
    }
  };

  // Prices keep their 6 decimals (0.2815 €/kWh), money's usual 2 at least.
  const money = (value: number) => {
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency, maximumFractionDigits: 6 }).format(value);
    } catch {
      return `${value} ${currency}`;
    }
  };

  return (
    <Card title="Tariffs" actions={canWrite && <Button onClick={() => setEditing("new")}>Add tariff</Button>}>
      {tariffs.error && !tariffs.data ? (
        <ErrorState error={tariffs.error} onRetry={() => void tariffs.refetch()} />
      ) : !tariffs.data ? (
        <Spinner label="Loading tariffs" />
      ) : tariffs.data.length === 0 ? (
        <EmptyState title="No tariff yet">
          Without a tariff, only the costs entered with records count. Add one to price this meter&apos;s consumption and its standing
          charge.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead>
              <tr className="text-left text-slate-600 dark:text-slate-300">
                <th scope="col" className="py-2 pr-3 font-medium">
                  Valid from
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Unit price
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Standing charge
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Tax
                </th>
                {canWrite && (
                  <th scope="col" className="py-2 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {tariffs.data.map((tariff) => (
                <tr key={tariff.id} data-testid={`tariff-${tariff.id}`}>
                  <td className="py-2 pr-3">
                    {formatDate(tariff.valid_from)} <span className="text-slate-500 dark:text-slate-400">{until(tariff)}</span>
                  </td>
                  <td className="py-2 pr-3 text-right tabular-nums">
                    {money(tariff.unit_price)}/{formatUnit(unit)}
                  </td>
                  <td className="py-2 pr-3 text-right tabular-nums">{money(tariff.standing_charge)}/day</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{formatNumber(Number(tariff.tax_pct))}%</td>
                  {canWrite && (
                    <td className="py-2 text-right whitespace-nowrap">
                      <Button
                        variant="ghost"
                        aria-label={`Edit the tariff from ${formatDate(tariff.valid_from)}`}
                        onClick={() => setEditing(tariff)}
                      >
                        Edit
                      </Button>
                      <Button
                        variant="danger-ghost"
                        aria-label={`Delete the tariff from ${formatDate(tariff.valid_from)}`}
                        onClick={() => askDelete(tariff)}
                      >
                        Delete
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={editing !== null} title={editing === "new" ? "Add tariff" : "Edit tariff"} onClose={() => setEditing(null)}>
        {editing !== null && (
          <TariffForm
            key={editing === "new" ? "new" : editing.id}
            meterId={meterId}
            unit={unit}
            currency={currency}
            today={today}
            tariff={editing === "new" ? undefined : editing}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              toast(editing === "new" ? "Tariff added." : "Tariff saved.", "success");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this tariff?"
        message={
          <div className="space-y-2">
            <p>The previous version (if any) then applies over its days.</p>
            {dryRun.data ? (
              <DryRunSummary result={dryRun.data} currency={currency} />
            ) : dryRun.error ? (
              <p role="alert" className="text-red-700 dark:text-red-400">
                {dryRun.error instanceof ApiError ? dryRun.error.message : "Something went wrong."}
              </p>
            ) : (
              <p>Working out what changes in past costs…</p>
            )}
            {deleteError && (
              <p role="alert" className="text-red-700 dark:text-red-400">
                {deleteError}
              </p>
            )}
          </div>
        }
        busy={apply.isPending || (deleting !== null && !dryRun.data && !dryRun.error)}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </Card>
  );
}
