"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { isNetworkFailure, isOffline, newIdempotencyKey, PendingEntries } from "@/features/offline";
import {
  exportRecords,
  filterErrors,
  recordsQuery,
  recordTotalsQuery,
  useDeleteRecord,
  queueRecord,
  useSaveRecord,
  type FilterErrors,
  type RecordFilters,
  type RecordItem,
} from "@/features/records/api/records";
import { ApiError } from "@/lib/api-client";
import { useCanWrite, useHouseholdSettings } from "@/lib/household";
import { downloadBlob, formatAmount, formatDate } from "@/lib/format";
import { metersQuery } from "@/lib/meters";
import { useSearchState } from "@/lib/url-state";

import { ImportDialog } from "./import-dialog";
import { hasFilters, RecordFiltersForm } from "./record-filters";
import { RecordForm } from "./record-form";
import type { Totals } from "./records-footer";
import { RecordsTable } from "./records-table";
import { filtersFromParams, filtersToParams } from "@/features/records/utils/url";

type Editing = { mode: "create" } | { mode: "edit"; record: RecordItem } | null;

export function RecordsPage() {
  const toast = useToast();
  const preferences = useHouseholdSettings();
  const currency = preferences.currency;
  // A viewer reads the records; adding, editing, deleting and importing are for editors and owners.
  const canWrite = useCanWrite();
  // Filters, sort and page live in the URL: a reload or a shared link shows the same list.
  const [params, setParams] = useSearchState();
  const filters = filtersFromParams(params);
  const setFilters = (next: RecordFilters | ((current: RecordFilters) => RecordFilters)) =>
    setParams(filtersToParams(typeof next === "function" ? next(filtersFromParams(new URLSearchParams(window.location.search))) : next));
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<RecordItem | null>(null);
  const [importOpen, setImportOpen] = useState(false);
  const [exporting, setExporting] = useState(false);

  const invalid = filterErrors(filters);
  const valid = Object.keys(invalid).length === 0;
  const meters = useQuery(metersQuery());
  const records = useQuery({ ...recordsQuery(filters), enabled: valid });
  const summary = useQuery({ ...recordTotalsQuery(filters), enabled: valid });
  const totals: Totals = summary.data ? { summary: summary.data, search: Boolean(filters.q) } : { loading: true };
  const save = useSaveRecord();
  const remove = useDeleteRecord();

  // The API's own refusal of a filter goes under that filter too.
  const serverErrors: FilterErrors = {};
  for (const field of ["date_from", "date_to", "q"] as const) {
    const message = records.error?.fieldErrors[field];
    if (message) serverErrors[field] = message;
  }
  const errors = { ...serverErrors, ...invalid };
  const filtersRefused = !valid || Object.keys(serverErrors).length > 0;

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
    try {
      await remove.mutateAsync(deleting.id);
      toast("Record deleted.", "success");
      setDeleting(null);
    } catch {
      // the toast shows the failure
    }
  };

  // The first-run card's links: /records?new=1 opens the form, /records?import=1 the import
  // (for a viewer they open nothing, and leave the URL all the same).
  const opening = params.get("new") === "1" ? "new" : params.get("import") === "1" ? "import" : null;
  const canAdd = Boolean(meters.data?.some((meter) => !meter.archived));
  useEffect(() => {
    if (opening === null) return;
    if (!canWrite) {
      // nothing to open
    } else if (opening === "import") setImportOpen(true);
    else if (canAdd) setEditing({ mode: "create" });
    else return;
    setParams(filtersToParams(filtersFromParams(new URLSearchParams(window.location.search))));
  }, [opening, canAdd, canWrite, setParams]);

  const page = valid && !records.isError ? records.data : undefined;
  const beyondLast = Boolean(page && page.items.length === 0 && page.total > 0 && filters.page > 1);
  useEffect(() => {
    // The last row of the last page went (a delete here, or in another tab): show the new last page.
    if (beyondLast && page) setFilters((current) => ({ ...current, page: Math.max(1, page.pages) }));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- setFilters writes the URL, read afresh
  }, [beyondLast, page]);
  const filtered = hasFilters(filters);

  return (
    <>
      <PageHeader
        title="Records"
        actions={
          <>
            {canWrite && (
              <>
                <Button onClick={() => setEditing({ mode: "create" })} disabled={!meters.data?.some((meter) => !meter.archived)}>
                  Add record
                </Button>
                <Button variant="secondary" onClick={() => setImportOpen(true)}>
                  Import CSV
                </Button>
              </>
            )}
            <Button variant="secondary" busy={exporting} disabled={filtersRefused} onClick={() => onExport("csv")}>
              Export CSV
            </Button>
          </>
        }
      />
      {canWrite && (
        <div className="mb-4">
          <PendingEntries kind="record" />
        </div>
      )}
      <Card>
        <RecordFiltersForm filters={filters} meters={meters.data} errors={errors} onChange={setFilters} />
        {meters.isError && (
          <div className="mb-4">
            <ErrorState error={meters.error} onRetry={() => void meters.refetch()} />
          </div>
        )}

        {filtersRefused ? (
          <EmptyState title="Correct the filters to see records">The fields marked above cannot be searched as they are.</EmptyState>
        ) : records.isError ? (
          <ErrorState error={records.error} onRetry={() => void records.refetch()} />
        ) : !page || beyondLast ? (
          <Spinner label="Loading records" />
        ) : page.items.length === 0 ? (
          <EmptyState title={filtered ? "No records match these filters" : "No records yet"}>
            {filtered ? "Change or clear the filters." : "Add your first reading, or import a CSV file."}
          </EmptyState>
        ) : (
          <RecordsTable
            page={page}
            sort={filters.sort}
            currency={currency}
            busy={records.isPlaceholderData}
            totals={totals}
            onSort={(sort) => setFilters((current) => ({ ...current, page: 1, sort }))}
            onPage={(next) => setFilters((current) => ({ ...current, page: next }))}
            onEdit={(record) => setEditing({ mode: "edit", record })}
            onDelete={setDeleting}
          />
        )}
      </Card>

      <Dialog open={editing !== null} title={editing?.mode === "edit" ? "Edit record" : "Add record"} onClose={() => setEditing(null)}>
        {editing && meters.data && (
          <RecordForm
            timeZone={preferences.timezone}
            meters={meters.data}
            record={editing.mode === "edit" ? editing.record : undefined}
            onCancel={() => setEditing(null)}
            onSubmit={async (values, { another }) => {
              const id = editing.mode === "edit" ? editing.record.id : undefined;
              const key = id === undefined ? newIdempotencyKey() : undefined;
              let kept = false;
              try {
                if (id === undefined && isOffline()) throw new ApiError(0, "offline", "Offline");
                await save.mutateAsync({ id, input: values, key });
              } catch (error) {
                // A new record without a connection waits on the device, with the key of its first attempt.
                if (!key || !isNetworkFailure(error)) throw error;
                await queueRecord(values, meters.data ?? [], key);
                kept = true;
              }
              // One message per event: the form says so itself when it stays open for the next record.
              if (another) return;
              toast(
                kept
                  ? "Saved on this device: it is sent when the connection returns."
                  : editing.mode === "edit"
                    ? "Record saved."
                    : "Record added.",
                "success",
              );
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this record?"
        message={
          deleting &&
          `The ${deleting.meter_name} record of ${formatDate(deleting.date)} (${formatAmount(deleting.amount, deleting.unit)}) will be deleted.`
        }
        busy={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
      <ImportDialog open={importOpen} onClose={() => setImportOpen(false)} />
    </>
  );
}
