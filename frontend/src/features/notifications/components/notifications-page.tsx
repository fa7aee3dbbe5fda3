"use client";

import { useQuery } from "@tanstack/react-query";

import { Button } from "@/components/ui/button";
import { Pagination } from "@/components/ui/pagination";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { notificationsQuery, useMarkAllRead, useMarkRead } from "@/features/notifications/api/notifications";
import { useSearchState } from "@/lib/url-state";

import { NotificationItem, useHouseholdName, useOpenNotification } from "./notification-item";

function positive(value: string | null): number | undefined {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : undefined;
}

/** `/notifications`: every notification of the user, newest first; `?unread=1` and `?page=` in the URL. */
export function NotificationsPage() {
  const [params, setParams] = useSearchState();
  const unreadOnly = params.get("unread") === "1";
  const page = positive(params.get("page")) ?? 1;
  const list = useQuery(notificationsQuery(unreadOnly, page));
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const open = useOpenNotification();
  const householdName = useHouseholdName();
  const unread = list.data?.unread_count ?? 0;

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  };

  return (
    <>
      <PageHeader
        title="Notifications"
        actions={
          <Button variant="secondary" disabled={!unread} busy={markAll.isPending} onClick={() => markAll.mutate()}>
            Mark all read
          </Button>
        }
      />
      <fieldset className="mb-4 flex flex-wrap items-center gap-2">
        <legend className="sr-only">Show</legend>
        {(
          [
            [false, "All"],
            [true, `Unread${list.data ? ` (${unread})` : ""}`],
          ] as const
        ).map(([value, label]) => (
          <Button
            key={label}
            variant={unreadOnly === value ? "primary" : "secondary"}
            aria-pressed={unreadOnly === value}
            onClick={() => update({ unread: value ? "1" : null, page: null })}
          >
            {label}
          </Button>
        ))}
      </fieldset>
      {list.error && !list.data ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : !list.data ? (
        <Spinner label="Loading notifications" />
      ) : list.data.total === 0 ? (
        <Card>
          <EmptyState title={unreadOnly ? "Nothing unread" : "No notifications yet"}>
            Budgets, unusual days, overdue readings and expiring tokens are announced here.
          </EmptyState>
        </Card>
      ) : (
        <Card>
          <ul className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="Notifications">
            {list.data.items.map((notification) => (
              <li key={notification.id} className="flex flex-wrap items-start justify-between gap-2 py-3">
                <NotificationItem notification={notification} householdName={householdName(notification.household_id)} onOpen={open} />
                {!notification.read_at && (
                  <Button
                    variant="ghost"
                    aria-label={`Mark “${notification.title}” read`}
                    disabled={markRead.isPending && markRead.variables === notification.id}
                    onClick={() => markRead.mutate(notification.id)}
                  >
                    Mark read
                  </Button>
                )}
              </li>
            ))}
          </ul>
          {list.data.pages > 1 && (
            <Pagination
              page={list.data.page}
              pages={list.data.pages}
              total={list.data.total}
              onPage={(value) => update({ page: value > 1 ? String(value) : null })}
            />
          )}
        </Card>
      )}
    </>
  );
}
