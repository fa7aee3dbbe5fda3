"use client";

import { useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { listMeters, METER_TYPES, TYPE_LABELS, type MeterType } from "@/features/meters/api/meters";
import {
  createRecord,
  defaultFilters,
  deleteRecord,
  exportRecords,
  listRecords,
  replaceRecord,
  type RecordFilters,
  type RecordItem,
  type Sort,
} from "@/features/records/api/records";
import { useQuery } from "@/hooks/use-query";
import { useAuth } from "@/lib/auth";
import { downloadBlob, formatAmount, formatMoney } from "@/lib/format";
import { useLiveEvents } from "@/lib/live";

import { ImportDialog } from "./import-dialog";
import { RecordForm } from "./record-form";

type Editing = { mode: "create" } | { mode: "edit"; record: RecordItem } | null;

function SortHeader({ label, field, sort, onSort }: { label: string; field: "date" | "amount" | "created_at"; sort: Sort; onSort(sort: Sort): void }) {
  const active = sort === field || sort === `-${field}`;
  const descending = sort === `-${field}`;
  return (
    <th scope="col" aria-sort={active ? (descending ? "descending" : "ascending") : "none"} className="px-3 py-2">
      <button type="button" className="inline-flex items-center gap-1 font-medium hover:underline" onClick={() => onSort((active && !descending ? `-${field}` : field) as Sort)}>
        {label}
        <span aria-hidden>{active ? (descending ? "↓" : "↑") : "↕"}</span>
      </button>
    </th>
  );
}

export function RecordsPage() {
  const toast = useToast();
  const preferences = useAuth().user?.preferences;
  const currency = preferences?.currency ?? "USD";
  const [filters, setFilters] = useState<RecordFilters>(defaultFilters);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<RecordItem | null>(null);
  const [busyDelete, setBusyDelete] = useState(false);
  const [importOpen, setImportOpen] = useState(false);
  const [exporting, setExporting] = useState(false);

  const meters = useQuery("meters", listMeters);
  const records = useQuery(JSON.stringify(filters), () => listRecords(filters));

  useLiveEvents((event) => {
    if (event.type === "meter.changed" || event.type === "resync") meters.reload();
    if (event.type !== "meter.changed") records.reload();
  });

  const update = (patch: Partial<RecordFilters>) => setFilters((current) => ({ ...current, page: 1, ...patch }));
  const toggleType = (type: MeterType) => {
    const current = filters.type ?? [];
    const next = current.includes(type) ? current.filter((item) => item !== type) : [...current, type];
    update({ type: next.length ? next : undefined });
  };

  const onExport = async (format: "csv" | "json") => {
    setExporting(true);
    try {
      const { blob, filename } = await exportRecords(filters, format);
      downloadBlob(blob, filename);
    } catch {
      // the toast shows the failure
    } finally {
      setExporting(false);
    }
  };

  const confirmDelete = async () => {
    if (!deleting) return;
    setBusyDelete(true);
    try {
      await deleteRecord(deleting.id);
      toast("Record deleted.", "success");
      setDeleting(null);
      records.reload();
    } catch {
      // the toast shows the failure
    } finally {
      setBusyDelete(false);
    }
  };

  const page = records.data;
  const beyondLast = Boolean(page && page.items.length === 0 && page.total > 0 && filters.page > 1);
  useEffect(() => {
    // The last row of the last page went (a delete here, or in another tab): show the new last page.
    if (beyondLast && page) setFilters((current) => ({ ...current, page: Math.max(1, page.pages) }));
  }, [beyondLast, page]);
  const hasFilters = !!(filters.meter_id || filters.type || filters.date_from || filters.date_to || filters.q);

  return (
    <>
      <PageHeader
        title="Records"
        actions={
          <>
            <Button onClick={() => setEditing({ mode: "create" })} disabled={!meters.data?.some((meter) => !meter.archived)}>
              Add record
            </Button>
            <Button variant="secondary" onClick={() => setImportOpen(true)}>
              Import CSV
            </Button>
            <Button variant="secondary" busy={exporting} onClick={() => onExport("csv")}>
              Export CSV
            </Button>
          </>
        }
      />
      <Card>
        <form role="search" aria-label="Filter records" className="mb-4 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5" onSubmit={(event) => event.preventDefault()}>
          <SelectField label="Meter" value={filters.meter_id ?? ""} onChange={(event) => update({ meter_id: event.target.value ? Number(event.target.value) : undefined })}>
            <option value="">All meters</option>
            {meters.data?.map((meter) => (
              <option key={meter.id} value={meter.id}>
                {meter.name}
              </option>
            ))}
          </SelectField>
          <TextField label="From" type="date" value={filters.date_from ?? ""} onChange={(event) => update({ date_from: event.target.value || undefined })} />
          <TextField label="To" type="date" value={filters.date_to ?? ""} onChange={(event) => update({ date_to: event.target.value || undefined })} />
          <TextField label="Note contains" type="search" value={filters.q ?? ""} onChange={(event) => update({ q: event.target.value || undefined })} />
          <SelectField label="Per page" value={filters.per_page} onChange={(event) => update({ per_page: Number(event.target.value) })}>
            {[10, 20, 50, 100].map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </SelectField>
          <fieldset className="sm:col-span-2 lg:col-span-5">
            <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-200">Types</legend>
            <div className="flex flex-wrap gap-3">
              {METER_TYPES.map((type) => (
                <label key={type} className="inline-flex items-center gap-1.5 text-sm">
                  <input type="checkbox" checked={filters.type?.includes(type) ?? false} onChange={() => toggleType(type)} className="h-4 w-4 accent-indigo-600" />
                  {TYPE_LABELS[type]}
                </label>
              ))}
              {hasFilters && (
                <Button variant="ghost" className="ml-auto" onClick={() => setFilters({ ...defaultFilters, per_page: filters.per_page })}>
                  Clear filters
                </Button>
              )}
            </div>
          </fieldset>
        </form>

        {records.error && !page ? (
          <ErrorState error={records.error} onRetry={records.reload} />
        ) : !page ? (
          <Spinner label="Loading records" />
        ) : beyondLast ? (
          <Spinner label="Loading records" />
        ) : page.items.length === 0 ? (
          <EmptyState title={hasFilters ? "No records match these filters" : "No records yet"}>
            {hasFilters ? "Change or clear the filters." : "Add your first reading, or import a CSV file."}
          </EmptyState>
        ) : (
          <div className="relative -mx-4 overflow-x-auto px-4" aria-busy={records.loading}>
            <table className="w-full min-w-[36rem] text-left text-sm" data-testid="records-table">
              <caption className="sr-only">Your records</caption>
              <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-700 dark:text-slate-300">
                <tr>
                  <SortHeader label="Date" field="date" sort={filters.sort} onSort={(sort) => update({ sort })} />
                  <th scope="col" className="px-3 py-2 font-medium">Meter</th>
                  <SortHeader label="Amount" field="amount" sort={filters.sort} onSort={(sort) => update({ sort })} />
                  <th scope="col" className="px-3 py-2 font-medium">Cost</th>
                  <th scope="col" className="px-3 py-2 font-medium">Note</th>
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
                      <Button variant="ghost" aria-label={`Edit record of ${record.date} (${record.meter_name})`} onClick={() => setEditing({ mode: "edit", record })}>
                        Edit
                      </Button>
                      <Button variant="ghost" className="text-red-600 dark:text-red-400" aria-label={`Delete record of ${record.date} (${record.meter_name})`} onClick={() => setDeleting(record)}>
                        Delete
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination page={page.page} pages={page.pages} total={page.total} onPage={(next) => setFilters((current) => ({ ...current, page: next }))} />
          </div>
        )}
      </Card>

      <Dialog open={editing !== null} title={editing?.mode === "edit" ? "Edit record" : "Add record"} onClose={() => setEditing(null)}>
        {editing && meters.data && (
          <RecordForm
            timeZone={preferences?.timezone}
            meters={meters.data}
            record={editing.mode === "edit" ? editing.record : undefined}
            onCancel={() => setEditing(null)}
            onSubmit={async (values) => {
              if (editing.mode === "edit") await replaceRecord(editing.record.id, values);
              else await createRecord(values);
              toast(editing.mode === "edit" ? "Record saved." : "Record added.", "success");
              setEditing(null);
              records.reload();
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this record?"
        message={deleting && `The ${deleting.meter_name} record of ${deleting.date} (${formatAmount(deleting.amount, deleting.unit)}) will be deleted.`}
        busy={busyDelete}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
      <ImportDialog open={importOpen} onClose={() => setImportOpen(false)} onImported={records.reload} />
    </>
  );
}
