/** Currencies and time zones offered by the household forms (the API accepts any ISO-4217 code and IANA zone). */
export const CURRENCIES = ["USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK", "INR", "BRL", "CNY"];

export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

/** ``current`` first when a list lacks it (a zone this browser does not know), so a form never drops it. */
export function withCurrent(choices: string[], current: string | undefined): string[] {
  return current && !choices.includes(current) ? [current, ...choices] : choices;
}
