"use client";

import { useEffect, useRef } from "react";

import { Button } from "@/components/ui/button";
import { Pagination } from "@/components/ui/pagination";
import { PHONE, useMedia } from "@/components/ui/use-media";
import type { RecordItem, RecordPage, Sort } from "@/features/records/api/records";
import { formatAmount, formatDate, formatMoney } from "@/lib/format";
import { useCanWrite } from "@/lib/household";

import { RecordsFooter, type Totals } from "./records-footer";

function SortHeader({
  label,
  field,
  sort,
  onSort,
  align = "left",
}: {
  label: string;
  field: "date" | "amount" | "created_at" | "meter" | "cost";
  sort: Sort;
  onSort(sort: Sort): void;
  align?: "left" | "right";
}) {
  const active = sort === field || sort === `-${field}`;
  const descending = sort === `-${field}`;
  return (
    <th scope="col" aria-sort={active ? (descending ? "descending" : "ascending") : "none"} className={`px-1 py-1 text-${align}`}>
      <button
        type="button"
        className="inline-flex min-h-11 items-center gap-1 rounded px-2 font-medium hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 sm:min-h-9"
        onClick={() => onSort((active && !descending ? `-${field}` : field) as Sort)}
      >
        {label}
        <span aria-hidden>{active ? (descending ? "↓" : "↑") : "↕"}</span>
      </button>
    </th>
  );
}

/** Amounts with fixed decimals (at least 2, up to the 3 the API keeps), so they line up when right-aligned. */
function amount(record: RecordItem): string {
  return formatAmount(record.amount, record.unit, 2);
}

function RecordCards({
  page,
  currency,
  onEdit,
  onDelete,
}: {
  page: RecordPage;
  currency: string;
  onEdit(record: RecordItem): void;
  onDelete(record: RecordItem): void;
}) {
  // A viewer's cards are read only: no tap to edit, no delete.
  const canWrite = useCanWrite();
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="records-cards">
      {page.items.map((record) => {
        const content = (
          <>
            <span className="flex justify-between gap-2">
              <span className="font-medium">{record.meter_name}</span>
              <span className="tabular-nums">{amount(record)}</span>
            </span>
            <span className="flex justify-between gap-2 text-sm text-slate-600 dark:text-slate-300">
              <span>{formatDate(record.date)}</span>
              <span className="tabular-nums">{formatMoney(record.cost, currency)}</span>
            </span>
            {record.note && <span className="block truncate text-sm text-slate-500 dark:text-slate-400">{record.note}</span>}
          </>
        );
        return (
          <li key={record.id} className="flex items-stretch gap-2">
            {canWrite ? (
              <>
                <button
                  type="button"
                  className="min-h-11 flex-1 py-2 text-left focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                  aria-label={`Edit record of ${record.date} (${record.meter_name})`}
                  onClick={() => onEdit(record)}
                >
                  {content}
                </button>
                <Button
                  variant="danger-ghost"
                  className="self-center"
                  aria-label={`Delete record of ${record.date} (${record.meter_name})`}
                  onClick={() => onDelete(record)}
                >
                  Delete
                </Button>
              </>
            ) : (
              <div className="min-h-11 flex-1 py-2">{content}</div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * One page of records with sortable columns, row actions, the filtered set's totals and the pager;
 * cards with tap to edit on a phone. While the next page loads the rows are dimmed under a spinner,
 * and a new page starts at the top of the list.
 */
export function RecordsTable({
  page,
  sort,
  currency,
  busy,
  totals,
  onSort,
  onPage,
  onEdit,
  onDelete,
}: {
  page: RecordPage;
  sort: Sort;
  currency: string;
  busy: boolean;
  totals: Totals;
  onSort(sort: Sort): void;
  onPage(page: number): void;
  onEdit(record: RecordItem): void;
  onDelete(record: RecordItem): void;
}) {
  const phone = useMedia(PHONE);
  const canWrite = useCanWrite();
  const top = useRef<HTMLDivElement>(null);
  const onPageAndTop = (next: number) => {
    onPage(next);
    top.current?.scrollIntoView?.({ block: "nearest" });
  };
  const shown = page.page;
  const previous = useRef(shown);
  useEffect(() => {
    if (previous.current !== shown) top.current?.scrollIntoView?.({ block: "nearest" });
    previous.current = shown;
  }, [shown]);

  return (
    <div ref={top} className="relative" aria-busy={busy}>
      {busy && (
        <div role="status" className="absolute inset-x-0 top-10 z-10 flex justify-center">
          <span className="flex items-center gap-2 rounded-md bg-white px-3 py-1 text-sm shadow dark:bg-slate-800">
            <span className="h-4 w-4 animate-spin rounded-full border-2 border-indigo-500 border-t-transparent" aria-hidden />
            Loading records…
          </span>
        </div>
      )}
      <div className={busy ? "opacity-50 transition-opacity" : "transition-opacity"}>
        {phone ? (
          <RecordCards page={page} currency={currency} onEdit={onEdit} onDelete={onDelete} />
        ) : (
          <div className="-mx-4 overflow-x-auto px-4">
            <table className="w-full min-w-[36rem] text-left text-sm" data-testid="records-table">
              <caption className="sr-only">Your records</caption>
              <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-700 dark:text-slate-300">
                <tr>
                  <SortHeader label="Date" field="date" sort={sort} onSort={onSort} />
                  <SortHeader label="Meter" field="meter" sort={sort} onSort={onSort} />
                  <SortHeader label="Amount" field="amount" sort={sort} onSort={onSort} align="right" />
                  <SortHeader label="Cost" field="cost" sort={sort} onSort={onSort} align="right" />
                  <th scope="col" className="px-3 py-2 font-medium">
                    Note
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((record) => (
                  <tr key={record.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                    <td className="whitespace-nowrap px-3 py-2">{formatDate(record.date)}</td>
                    <td className="px-3 py-2">{record.meter_name}</td>
                    <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{amount(record)}</td>
                    <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{formatMoney(record.cost, currency)}</td>
                    <td className="max-w-[16rem] truncate px-3 py-2" title={record.note ?? undefined}>
                      {record.note}
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 text-right">
                      {canWrite && (
                        <>
                          <Button
                            variant="ghost"
                            aria-label={`Edit record of ${record.date} (${record.meter_name})`}
                            onClick={() => onEdit(record)}
                          >
                            Edit
                          </Button>
                          <Button
                            variant="danger-ghost"
                            aria-label={`Delete record of ${record.date} (${record.meter_name})`}
                            onClick={() => onDelete(record)}
                          >
                            Delete
                          </Button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <RecordsFooter count={page.total} totals={totals} currency={currency} />
      <Pagination page={page.page} pages={page.pages} total={page.total} onPage={onPageAndTop} />
    </div>
  );
}
