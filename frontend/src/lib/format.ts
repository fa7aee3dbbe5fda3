const UNIT_DISPLAY: Record<string, string> = { m3: "m³", ft3: "ft³" };

/** A unit as people read it (m³, ft³); the API's unit strings (m3, ft3) stay as they are. */
export function formatUnit(unit: string): string {
  return UNIT_DISPLAY[unit] ?? unit;
}

export function formatAmount(value: number, unit?: string): string {
  const text = new Intl.NumberFormat("en-US", { maximumFractionDigits: 3 }).format(value);
  return unit ? `${text} ${formatUnit(unit)}` : text;
}

export function formatMoney(value: number | null | undefined, currency = "USD"): string {
  if (value === null || value === undefined) return "—";
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const sign = value > 0 ? "+" : value < 0 ? "−" : "";
  return `${sign}${new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(Math.abs(value))}%`;
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
