const UNIT_DISPLAY: Record<string, string> = { m3: "m³", ft3: "ft³" };

/** A unit as people read it (m³, ft³); the API's unit strings (m3, ft3) stay as they are. */
export function formatUnit(unit: string): string {
  return UNIT_DISPLAY[unit] ?? unit;
}

/** A number in the reader's locale (up to 3 decimals, the amounts' precision). */
export function formatNumber(value: number, maximumFractionDigits = 3, minimumFractionDigits = 0): string {
  return new Intl.NumberFormat(undefined, { maximumFractionDigits, minimumFractionDigits }).format(value);
}

/** An amount with its unit; ``minimumFractionDigits`` lines amounts up in a column. */
export function formatAmount(value: number, unit?: string, minimumFractionDigits = 0): string {
  const text = formatNumber(value, 3, minimumFractionDigits);
  return unit ? `${text} ${formatUnit(unit)}` : text;
}

/** A headline figure: no decimals from 100 up, one below (1,234 kWh; 12.5 m³). */
export function formatHeadline(value: number, unit?: string): string {
  const text = formatNumber(value, Math.abs(value) >= 100 ? 0 : 1);
  return unit ? `${text} ${formatUnit(unit)}` : text;
}

/** A calendar date (YYYY-MM-DD) in the reader's locale, as their date inputs show it ("03/02/2026" in en-US). */
export function formatDate(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(undefined, { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "UTC" }).format(date);
}

export function formatMoney(value: number | null | undefined, currency = "USD"): string {
  if (value === null || value === undefined) return "—";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const sign = value > 0 ? "+" : value < 0 ? "−" : "";
  return `${sign}${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(Math.abs(value))}%`;
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
