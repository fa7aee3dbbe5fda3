"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { SelectField } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { AttachmentThumbnails } from "@/features/attachments";
import { billsQuery, useDeleteBill, type Bill } from "@/features/bills/api/bills";
import { formatAmount, formatDate, formatMoney } from "@/lib/format";
import { useCanWrite, useHouseholdSettings } from "@/lib/household";
import { metersQuery, type Meter } from "@/lib/meters";
import { useSearchState } from "@/lib/url-state";

import { BillDifference } from "./bill-difference";
import { BillForm } from "./bill-form";

function amountOrDash(value: number | null, unit: string): string {
  return value === null ? "—" : formatAmount(value, unit, 2);
}

/** A positive whole number from the URL, else undefined. */
function positive(value: string | null): number | undefined {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : undefined;
}

function BillRows({
  meter,
  bills,
  currency,
  canWrite,
  onEdit,
  onDelete,
}: {
  meter: Meter | undefined;
  bills: Bill[];
  currency: string;
  canWrite: boolean;
  onEdit(bill: Bill): void;
  onDelete(bill: Bill): void;
}) {
  const unit = meter?.unit ?? "";
  const name = meter?.name ?? `Meter ${bills[0]?.meter_id}`;
  return (
    <Card title={name}>
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-slate-600 dark:text-slate-300">
              <th scope="col" className="py-2 pr-3 font-medium">
                Period
              </th>
              <th scope="col" className="py-2 pr-3 text-right font-medium">
                Billed
              </th>
              <th scope="col" className="py-2 pr-3 text-right font-medium">
                From your readings
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                Difference
              </th>
              {canWrite && (
                <th scope="col" className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {bills.map((bill) => {
              const period = `${formatDate(bill.period_from)} – ${formatDate(bill.period_to)}`;
              return (
                <tr key={bill.id} data-testid={`bill-${bill.id}`} className="align-top">
                  <td className="py-2 pr-3 whitespace-nowrap">
                    {period}
                    {bill.note && <p className="text-slate-500 dark:text-slate-400">{bill.note}</p>}
                    <AttachmentThumbnails ids={bill.attachment_ids} subject={`the bill of ${name}, ${period}`} canDelete={canWrite} />
                  </td>
                  <td className="py-2 pr-3 text-right tabular-nums" data-testid="bill-billed">
                    {formatMoney(bill.cost, currency)}
                    <br />
                    <span className="text-slate-500 dark:text-slate-400">{amountOrDash(bill.amount, unit)}</span>
                  </td>
                  <td className="py-2 pr-3 text-right tabular-nums" data-testid="bill-computed">
                    {formatMoney(bill.computed.cost, currency)}
                    <br />
                    <span className="text-slate-500 dark:text-slate-400">{amountOrDash(bill.computed.amount, unit)}</span>
                  </td>
                  <td className="py-2 pr-3">
                    <BillDifference bill={bill} currency={currency} />
                  </td>
                  {canWrite && (
                    <td className="py-2 text-right whitespace-nowrap">
                      <Button variant="ghost" aria-label={`Edit the bill of ${name}, ${period}`} onClick={() => onEdit(bill)}>
                        Edit
                      </Button>
                      <Button variant="danger-ghost" aria-label={`Delete the bill of ${name}, ${period}`} onClick={() => onDelete(bill)}>
                        Delete
                      </Button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

/** The household's bills per meter, each beside what the readings and tariffs say for the same days. */
export function BillsPage() {
  const toast = useToast();
  const { currency } = useHouseholdSettings();
  const canWrite = useCanWrite();
  const [params, setParams] = useSearchState();
  const meterId = positive(params.get("meter_id"));
  const page = positive(params.get("page")) ?? 1;
  const meters = useQuery(metersQuery());
  const bills = useQuery(billsQuery(meterId, page));
  const deleteBill = useDeleteBill();
  const [editing, setEditing] = useState<Bill | "new" | null>(null);
  const [deleting, setDeleting] = useState<Bill | null>(null);

  const chooseMeter = (value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set("meter_id", value);
    else next.delete("meter_id");
    next.delete("page");
    setParams(next);
  };
  const choosePage = (value: number) => {
    const next = new URLSearchParams(params);
    if (value > 1) next.set("page", String(value));
    else next.delete("page");
    setParams(next);
  };

  const confirmDelete = async () => {
    if (!deleting) return;
    try {
      await deleteBill.mutateAsync(deleting.id);
      toast("Bill deleted.", "success");
      setDeleting(null);
    } catch {
      // the toast shows the failure
    }
  };

  const byMeter = new Map<number, Bill[]>();
  for (const bill of bills.data?.items ?? []) byMeter.set(bill.meter_id, [...(byMeter.get(bill.meter_id) ?? []), bill]);
  const meterOf = (id: number) => meters.data?.find((meter) => meter.id === id);
  const groups = [...byMeter.entries()].sort(([a], [b]) => (meterOf(a)?.name ?? "").localeCompare(meterOf(b)?.name ?? ""));

  return (
    <>
      <PageHeader
        title="Bills"
        actions={
          canWrite && (
            <Button onClick={() => setEditing("new")} disabled={!meters.data?.length}>
              Add bill
            </Button>
          )
        }
      />
      <div className="mb-4 max-w-xs">
        <SelectField label="Meter" value={meterId ?? ""} onChange={(event) => chooseMeter(event.target.value)}>
          <option value="">All meters</option>
          {meters.data?.map((meter) => (
            <option key={meter.id} value={meter.id}>
              {meter.name}
            </option>
          ))}
        </SelectField>
      </div>
      {bills.error && !bills.data ? (
        <ErrorState error={bills.error} onRetry={() => void bills.refetch()} />
      ) : !bills.data ? (
        <Spinner label="Loading bills" />
      ) : bills.data.total === 0 ? (
        <Card>
          <EmptyState title="No bills yet">
            Add the bills you receive: each is checked against what your readings and tariffs say for the same days.
          </EmptyState>
        </Card>
      ) : (
        <div className="space-y-4">
          {groups.map(([id, items]) => (
            <BillRows
              key={id}
              meter={meterOf(id)}
              bills={items}
              currency={currency}
              canWrite={canWrite}
              onEdit={setEditing}
              onDelete={setDeleting}
            />
          ))}
          {bills.data.pages > 1 && (
            <Pagination page={bills.data.page} pages={bills.data.pages} total={bills.data.total} onPage={choosePage} />
          )}
        </div>
      )}
      <Dialog open={editing !== null} title={editing === "new" ? "Add bill" : "Edit bill"} onClose={() => setEditing(null)}>
        {editing !== null && meters.data && (
          <BillForm
            key={editing === "new" ? "new" : editing.id}
            bill={editing === "new" ? undefined : editing}
            meters={meters.data}
            defaultMeterId={meterId}
            currency={currency}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              toast(editing === "new" ? "Bill added." : "Bill saved.", "success");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this bill?"
        message={deleting && `The bill of ${formatDate(deleting.period_from)} – ${formatDate(deleting.period_to)} will be deleted.`}
        busy={deleteBill.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
