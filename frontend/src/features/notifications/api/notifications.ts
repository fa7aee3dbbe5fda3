import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { client, type Schema } from "@/lib/api-client";
import { queryRoots } from "@/lib/query-keys";

// Notifications (PRODUCT.md §12): one per member concerned, the user's own across their households.
export type Notification = Schema<"NotificationOut">;
export type NotificationPage = Schema<"NotificationPage">;

export const NOTIFICATIONS_PER_PAGE = 20;
/** How many the bell's dropdown shows. */
export const LATEST_COUNT = 5;

// The user's own, like the security page's: keys carry no household.
export const notificationKeys = {
  all: queryRoots.notifications,
  list: (unread: boolean, page: number, perPage: number) => [...queryRoots.notifications, { unread, page, per_page: perPage }] as const,
};

function fetchPage(unread: boolean, page: number, perPage: number, signal: AbortSignal) {
  return client.GET("/api/notifications", {
    query: { ...(unread ? { unread: true } : {}), page, per_page: perPage },
    signal,
    silent: true,
  });
}

/** A page of the user's notifications, newest first (only the unread ones when asked); with the unread count. */
export const notificationsQuery = (unread: boolean, page = 1) =>
  queryOptions({
    queryKey: notificationKeys.list(unread, page, NOTIFICATIONS_PER_PAGE),
    queryFn: ({ signal }) => fetchPage(unread, page, NOTIFICATIONS_PER_PAGE, signal),
    placeholderData: keepPreviousData,
  });

/** The bell's: the latest few and the unread count. */
export const latestNotificationsQuery = () =>
  queryOptions({
    queryKey: notificationKeys.list(false, 1, LATEST_COUNT),
    queryFn: ({ signal }) => fetchPage(false, 1, LATEST_COUNT, signal),
  });

function useInvalidateNotifications() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryRoots.notifications });
}

export function useMarkRead() {
  const invalidate = useInvalidateNotifications();
  return useMutation({
    mutationFn: (id: number) => client.POST("/api/notifications/{notification_id}/read", { path: { notification_id: id } }),
    onSuccess: invalidate,
  });
}

export function useMarkAllRead() {
  const invalidate = useInvalidateNotifications();
  return useMutation({
    mutationFn: () => client.POST("/api/notifications/read-all"),
    onSuccess: invalidate,
  });
}
