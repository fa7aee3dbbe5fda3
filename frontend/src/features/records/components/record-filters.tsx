"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { SelectField, TextField } from "@/components/ui/field";
import { PHONE, useMedia } from "@/components/ui/use-media";
import { defaultFilters, type FilterErrors, type RecordFilters } from "@/features/records/api/records";
import { METER_TYPES, TYPE_LABELS, type Meter, type MeterType } from "@/lib/meters";

export function hasFilters(filters: RecordFilters): boolean {
  return activeFilters(filters) > 0;
}

/** How many filters are set (each type counts). */
export function activeFilters(filters: RecordFilters): number {
  return [filters.meter_id, filters.date_from, filters.date_to, filters.q].filter(Boolean).length + (filters.type?.length ?? 0);
}

/** The records' filters; every change goes back to page 1. On a phone they fold behind a "Filters (n)" button. */
export function RecordFiltersForm({
  filters,
  meters,
  errors,
  onChange,
}: {
  filters: RecordFilters;
  meters: Meter[] | undefined;
  errors: FilterErrors;
  onChange(filters: RecordFilters): void;
}) {
  const phone = useMedia(PHONE);
  const [open, setOpen] = useState(false);
  const count = activeFilters(filters);
  const update = (patch: Partial<RecordFilters>) => onChange({ ...filters, page: 1, ...patch });
  const toggleType = (type: MeterType) => {
    const current = filters.type ?? [];
    const next = current.includes(type) ? current.filter((item) => item !== type) : [...current, type];
    update({ type: next.length ? next : undefined });
  };

  // A filter with an error stays in view.
  const shown = !phone || open || Object.keys(errors).length > 0;
  const toggle = phone && (
    <Button variant="secondary" className="mb-3" aria-expanded={shown} aria-controls="record-filters" onClick={() => setOpen(!open)}>
      Filters ({count})
    </Button>
  );
  if (!shown) return toggle;
  return (
    <>
      {toggle}
      <form
        id="record-filters"
        role="search"
        aria-label="Filter records"
        className="mb-4 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5"
        onSubmit={(event) => event.preventDefault()}
      >
        <SelectField
          label="Meter"
          value={filters.meter_id ?? ""}
          onChange={(event) => update({ meter_id: event.target.value ? Number(event.target.value) : undefined })}
        >
          <option value="">All meters</option>
          {meters?.map((meter) => (
            <option key={meter.id} value={meter.id}>
              {meter.name}
            </option>
          ))}
        </SelectField>
        <TextField
          label="From"
          type="date"
          value={filters.date_from ?? ""}
          error={errors.date_from}
          onChange={(event) => update({ date_from: event.target.value || undefined })}
        />
        <TextField
          label="To"
          type="date"
          value={filters.date_to ?? ""}
          error={errors.date_to}
          onChange={(event) => update({ date_to: event.target.value || undefined })}
        />
        <TextField
          label="Note contains"
          type="search"
          value={filters.q ?? ""}
          error={errors.q}
          onChange={(event) => update({ q: event.target.value || undefined })}
        />
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
              <label key={type} className="inline-flex min-h-11 items-center gap-2 pr-2 text-sm sm:min-h-9">
                <input
                  type="checkbox"
                  checked={filters.type?.includes(type) ?? false}
                  onChange={() => toggleType(type)}
                  className="h-5 w-5 accent-indigo-600"
                />
                {TYPE_LABELS[type]}
              </label>
            ))}
            {hasFilters(filters) && (
              <Button variant="ghost" className="ml-auto" onClick={() => onChange({ ...defaultFilters, per_page: filters.per_page })}>
                Clear filters
              </Button>
            )}
          </div>
        </fieldset>
      </form>
    </>
  );
}
