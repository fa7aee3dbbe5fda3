import type { Notification } from "@/features/notifications/api/notifications";

function id(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : null;
}

/** A path of this app only: never another origin ("//host", "/\\host"). */
function isAppPath(link: string | null | undefined): link is string {
  return !!link && link.startsWith("/") && !link.startsWith("//") && !link.includes("\\");
}

/**
 * The page a notification is about: the API's `link` when it names one, else worked out from the
 * kind (and the ids its data carries); null when there is none.
 */
export function notificationHref(notification: Notification): string | null {
  if (isAppPath(notification.link)) return notification.link;
  const data = notification.data;
  const meterId = id(data.meter_id);
  switch (notification.kind) {
    case "budget.threshold":
    case "budget.forecast":
      return "/budgets";
    case "usage.anomaly":
      return meterId ? `/meters/${meterId}` : "/dashboard";
    case "reading.overdue":
      return meterId ? `/readings?meter_id=${meterId}` : "/readings";
    case "token.expiring":
      return "/settings/security";
    default:
      // Invitations, webhooks and what comes next are about the household itself.
      return notification.household_id ? `/households/${notification.household_id}` : null;
  }
}

/** "Nov 27, 2026, 10:04 PM" in the reader's locale. */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(date);
}
