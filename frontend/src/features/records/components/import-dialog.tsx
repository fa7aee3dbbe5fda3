"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { FormError, inputClass } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { useImportRecords, type ImportResult } from "@/features/records/api/records";
import { ApiError, type RowError } from "@/lib/api-client";

export function ImportDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const toast = useToast();
  const importRecords = useImportRecords();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [rowErrors, setRowErrors] = useState<RowError[]>([]);
  const [failure, setFailure] = useState<string>();
  const [result, setResult] = useState<ImportResult | null>(null);

  const reset = () => {
    setFile(null);
    setProgress(null);
    setRowErrors([]);
    setFailure(undefined);
    setResult(null);
  };
  const close = () => {
    reset();
    onClose();
  };

  const upload = async () => {
    if (!file) {
      setFailure("Choose a CSV file first.");
      return;
    }
    setRowErrors([]);
    setFailure(undefined);
    setResult(null);
    setProgress(0);
    try {
      const answer = await importRecords.mutateAsync({ file, onProgress: setProgress });
      setResult(answer);
      toast(`Imported ${answer.imported} record${answer.imported === 1 ? "" : "s"}.`, "success");
    } catch (error) {
      if (error instanceof ApiError) {
        setRowErrors(error.rowErrors);
        setFailure(
          error.rowErrors.length
            ? `Nothing was imported: ${error.rowErrors.length} problem${error.rowErrors.length === 1 ? "" : "s"} in the file.`
            : error.message,
        );
      }
    } finally {
      setProgress(null);
    }
  };

  return (
    <Dialog open={open} title="Import records from CSV" onClose={close}>
      <div className="space-y-3 text-sm">
        <p className="text-slate-600 dark:text-slate-400">
          Columns: <code>date,meter,amount,cost,note</code> (optionally <code>type,unit</code> for new meters). The whole file is imported,
          or nothing.
        </p>
        <div className="space-y-1">
          <label htmlFor="import-file" className="block font-medium">
            CSV file
          </label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            className={inputClass}
            onChange={(event) => {
              reset();
              setFile(event.target.files?.[0] ?? null);
            }}
          />
        </div>
        {progress !== null && (
          <div>
            <label htmlFor="import-progress" className="block text-xs text-slate-600 dark:text-slate-400">
              Uploading… {Math.round(progress * 100)}%
            </label>
            <progress id="import-progress" className="w-full" max={1} value={progress} />
          </div>
        )}
        <FormError message={failure} />
        {rowErrors.length > 0 && (
          <div className="max-h-60 overflow-auto rounded-md border border-red-200 dark:border-red-900">
            <table className="w-full text-left text-xs" data-testid="import-errors">
              <caption className="sr-only">Problems in the file</caption>
              <thead className="bg-red-50 dark:bg-red-950">
                <tr>
                  <th scope="col" className="px-2 py-1">
                    Row
                  </th>
                  <th scope="col" className="px-2 py-1">
                    Field
                  </th>
                  <th scope="col" className="px-2 py-1">
                    Problem
                  </th>
                </tr>
              </thead>
              <tbody>
                {rowErrors.map((error, index) => (
                  <tr key={`${error.row}-${error.field}-${index}`} className="border-t border-red-100 dark:border-red-900">
                    <td className="px-2 py-1">{error.row === 0 ? "header" : error.row}</td>
                    <td className="px-2 py-1">{error.field ?? "—"}</td>
                    <td className="px-2 py-1">{error.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {result && (
          <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
            Imported {result.imported} record{result.imported === 1 ? "" : "s"}
            {result.skipped_duplicates
              ? `; skipped ${result.skipped_duplicates} duplicate${result.skipped_duplicates === 1 ? "" : "s"}`
              : ""}
            {result.meters_created?.length ? `; new meters: ${result.meters_created.join(", ")}` : ""}.
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            {result ? "Done" : "Cancel"}
          </Button>
          {/* The same file again would only be skipped as duplicates: choose a new one first. */}
          <Button onClick={upload} busy={progress !== null} disabled={!file || result !== null}>
            Import
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
