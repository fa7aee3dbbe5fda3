/** The records page's filters, sort and page as URL parameters, so a reload or a shared link keeps them. */
import { defaultFilters, type RecordFilters, type Sort } from "@/features/records/api/records";
import { METER_TYPES, type MeterType } from "@/lib/meters";

const SORTS: Sort[] = ["date", "-date", "amount", "-amount", "created_at", "-created_at", "meter", "-meter", "cost", "-cost"];
export const PER_PAGE = [10, 20, 50, 100];

function positive(value: string | null): number | undefined {
  if (!value || !/^\d{1,9}$/.test(value)) return undefined;
  const number = Number(value);
  return number >= 1 ? number : undefined;
}

/** Read the filters; what cannot be read is left out (the dates are checked like typed ones). */
export function filtersFromParams(params: URLSearchParams): RecordFilters {
  const filters: RecordFilters = { ...defaultFilters };
  const meter = positive(params.get("meter_id"));
  if (meter) filters.meter_id = meter;
  const types = params.getAll("type").filter((type): type is MeterType => (METER_TYPES as string[]).includes(type));
  if (types.length) filters.type = [...new Set(types)];
  for (const field of ["date_from", "date_to", "q"] as const) {
    const value = params.get(field);
    if (value) filters[field] = value;
  }
  const sort = params.get("sort") as Sort | null;
  if (sort && SORTS.includes(sort)) filters.sort = sort;
  filters.page = positive(params.get("page")) ?? 1;
  const perPage = positive(params.get("per_page"));
  if (perPage && PER_PAGE.includes(perPage)) filters.per_page = perPage;
  return filters;
}

/** The parameters of the filters; the defaults (newest first, page 1, 20 a page) are left out. */
export function filtersToParams(filters: RecordFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.meter_id) params.set("meter_id", String(filters.meter_id));
  for (const type of filters.type ?? []) params.append("type", type);
  for (const field of ["date_from", "date_to", "q"] as const) {
    const value = filters[field];
    if (value) params.set(field, value);
  }
  if (filters.sort !== defaultFilters.sort) params.set("sort", filters.sort);
  if (filters.page !== 1) params.set("page", String(filters.page));
  if (filters.per_page !== defaultFilters.per_page) params.set("per_page", String(filters.per_page));
  return params;
}
