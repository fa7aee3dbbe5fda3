"use client";

import { Button } from "@/components/ui/button";
import { Pagination } from "@/components/ui/pagination";
import type { RecordItem, RecordPage, Sort } from "@/features/records/api/records";
import { formatAmount, formatMoney } from "@/lib/format";
import { useCanWrite } from "@/lib/household";

function SortHeader({
  label,
  field,
  sort,
  onSort,
}: {
  label: string;
  field: "date" | "amount" | "created_at";
  sort: Sort;
  onSort(sort: Sort): void;
}) {
  const active = sort === field || sort === `-${field}`;
  const descending = sort === `-${field}`;
  return (
    <th scope="col" aria-sort={active ? (descending ? "descending" : "ascending") : "none"} className="px-3 py-2">
      <button
        type="button"
        className="inline-flex items-center gap-1 font-medium hover:underline"
        onClick={() => onSort((active && !descending ? `-${field}` : field) as Sort)}
      >
        {label}
        <span aria-hidden>{active ? (descending ? "↓" : "↑") : "↕"}</span>
      </button>
    </th>
  );
}

/** One page of records with sortable columns, row actions and the pager. */
export function RecordsTable({
  page,
  sort,
  currency,
  busy,
  onSort,
  onPage,
  onEdit,
  onDelete,
}: {
  page: RecordPage;
  sort: Sort;
  currency: string;
  busy: boolean;
  onSort(sort: Sort): void;
  onPage(page: number): void;
  onEdit(record: RecordItem): void;
  onDelete(record: RecordItem): void;
}) {
  const canWrite = useCanWrite();
  return (
    <div className="relative -mx-4 overflow-x-auto px-4" aria-busy={busy}>
      <table className="w-full min-w-[36rem] text-left text-sm" data-testid="records-table">
        <caption className="sr-only">Your records</caption>
        <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-700 dark:text-slate-300">
          <tr>
            <SortHeader label="Date" field="date" sort={sort} onSort={onSort} />
            <th scope="col" className="px-3 py-2 font-medium">
              Meter
            </th>
            <SortHeader label="Amount" field="amount" sort={sort} onSort={onSort} />
            <th scope="col" className="px-3 py-2 font-medium">
              Cost
            </th>
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
              <td className="whitespace-nowrap px-3 py-2">{record.date}</td>
              <td className="px-3 py-2">{record.meter_name}</td>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatAmount(record.amount, record.unit)}</td>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatMoney(record.cost, currency)}</td>
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
                      variant="ghost"
                      className="text-red-600 dark:text-red-400"
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
      <Pagination page={page.page} pages={page.pages} total={page.total} onPage={onPage} />
    </div>
  );
}
