"use client";

import Link from "next/link";

import { useMarkRead, type Notification } from "@/features/notifications/api/notifications";
import { formatWhen, notificationHref } from "@/features/notifications/utils/links";
import { useHousehold } from "@/lib/household";
import { kindLabel } from "@/lib/notification-kinds";

/** Opening a notification marks it read and, when it is about another household, makes that one current. */
export function useOpenNotification() {
  const markRead = useMarkRead();
  const { current, select } = useHousehold();
  return (notification: Notification) => {
    if (!notification.read_at) markRead.mutate(notification.id);
    if (notification.household_id && notification.household_id !== current?.id) select(notification.household_id);
  };
}

/** A notification's title (a link to the page it is about), its text, kind and time. */
export function NotificationItem({
  notification,
  householdName,
  onOpen,
}: {
  notification: Notification;
  householdName?: string;
  onOpen(notification: Notification): void;
}) {
  const href = notificationHref(notification);
  const unread = !notification.read_at;
  return (
    <div data-testid={`notification-${notification.id}`} data-unread={unread || undefined} className="min-w-0">
      <p className="flex items-center gap-2 text-sm font-medium text-slate-900 dark:text-slate-100">
        {unread && (
          <>
            <span className="h-2 w-2 shrink-0 rounded-full bg-indigo-600 dark:bg-indigo-400" aria-hidden />
            <span className="sr-only">Unread:</span>
          </>
        )}
        {href ? (
          <Link href={href} onClick={() => onOpen(notification)} className="text-indigo-700 underline dark:text-indigo-300">
            {notification.title}
          </Link>
        ) : (
          notification.title
        )}
      </p>
      {notification.body && <p className="text-sm text-slate-700 dark:text-slate-200">{notification.body}</p>}
      <p className="text-xs text-slate-600 dark:text-slate-300">
        {kindLabel(notification.kind)}
        {householdName && ` · ${householdName}`} · <time dateTime={notification.created_at}>{formatWhen(notification.created_at)}</time>
      </p>
    </div>
  );
}

/** The household's name, shown only to members of more than one. */
export function useHouseholdName(): (id: number | null) => string | undefined {
  const { households } = useHousehold();
  return (id) => (households.length > 1 && id ? households.find((household) => household.id === id)?.name : undefined);
}
