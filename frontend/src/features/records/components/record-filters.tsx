"use client";

import { Button } from "@/components/ui/button";
import { SelectField, TextField } from "@/components/ui/field";
import { defaultFilters, type FilterErrors, type RecordFilters } from "@/features/records/api/records";
import { METER_TYPES, TYPE_LABELS, type Meter, type MeterType } from "@/lib/meters";

export function hasFilters(filters: RecordFilters): boolean {
  return !!(filters.meter_id || filters.type || filters.date_from || filters.date_to || filters.q);
}

/** The records' filters; every change goes back to page 1. */
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
  const update = (patch: Partial<RecordFilters>) => onChange({ ...filters, page: 1, ...patch });
  const toggleType = (type: MeterType) => {
    const current = filters.type ?? [];
    const next = current.includes(type) ? current.filter((item) => item !== type) : [...current, type];
    update({ type: next.length ? next : undefined });
  };

  return (
    <form
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
            <label key={type} className="inline-flex items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                checked={filters.type?.includes(type) ?? false}
                onChange={() => toggleType(type)}
                className="h-4 w-4 accent-indigo-600"
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
  );
}
