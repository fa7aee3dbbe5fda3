/**
 * The kinds of notification (PRODUCT.md §12), worded for people. The notifications pages and
 * the e-mail settings both list them; a kind the API sends that is not here is spelt out from
 * its name, so a new alert shows before the SPA knows its wording.
 */
export const NOTIFICATION_KINDS = [
  { kind: "budget.threshold", label: "A budget crosses one of its thresholds" },
  { kind: "budget.forecast", label: "A budget's forecast goes over its limit" },
  { kind: "usage.anomaly", label: "A day's consumption is far above usual" },
  { kind: "reading.overdue", label: "A meter is due a reading" },
  { kind: "token.expiring", label: "An access token expires in 7 days" },
  { kind: "invitation.accepted", label: "Someone joins a household through your invitation" },
  { kind: "webhook.disabled", label: "A webhook is turned off after failing 20 times in a row" },
] as const;

/** "webhook.disabled" → "Webhook disabled". */
export function kindLabel(kind: string): string {
  const known = NOTIFICATION_KINDS.find((item) => item.kind === kind);
  if (known) return known.label;
  const words = kind.replace(/[._]/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
