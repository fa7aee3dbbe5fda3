"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { latestNotificationsQuery, useMarkAllRead } from "@/features/notifications/api/notifications";

import { NotificationItem, useHouseholdName, useOpenNotification } from "./notification-item";

/** "99+" past 99, so the badge keeps its size. */
function badge(count: number): string {
  return count > 99 ? "99+" : String(count);
}

/**
 * The header's bell: the unread count (kept current by the `notification.created` live event,
 * which refetches this query) and a dropdown of the latest notifications.
 */
export function NotificationBell() {
  const latest = useQuery(latestNotificationsQuery());
  const markAll = useMarkAllRead();
  const open = useOpenNotification();
  const householdName = useHouseholdName();
  const [expanded, setExpanded] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const unread = latest.data?.unread_count ?? 0;

  useEffect(() => {
    if (!expanded) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setExpanded(false);
        button.current?.focus();
      }
    };
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setExpanded(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [expanded]);

  const label = unread ? `Notifications, ${unread} unread` : "Notifications";
  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        data-testid="notification-bell"
        aria-label={label}
        aria-expanded={expanded}
        aria-controls={panelId}
        onClick={() => setExpanded((value) => !value)}
        className="relative inline-flex min-h-11 min-w-11 items-center justify-center rounded-md text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 sm:min-h-9 sm:min-w-9 dark:text-slate-200 dark:hover:bg-slate-800"
      >
        <svg viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" strokeLinecap="round" strokeLinejoin="round" />
          <path d="M13.73 21a2 2 0 0 1-3.46 0" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        {unread > 0 && (
          <span
            data-testid="notification-count"
            aria-hidden
            className="absolute -top-0.5 -right-0.5 min-w-5 rounded-full bg-red-700 px-1 text-center text-xs leading-5 font-semibold text-white"
          >
            {badge(unread)}
          </span>
        )}
      </button>
      {expanded && (
        <div
          id={panelId}
          role="region"
          aria-label="Latest notifications"
          className="fixed inset-x-2 top-14 z-30 max-h-[80vh] overflow-y-auto rounded-lg sm:absolute sm:inset-x-auto sm:top-auto sm:right-0 sm:mt-2 sm:w-[22rem] border border-slate-200 bg-white p-3 shadow-lg dark:border-slate-700 dark:bg-slate-900"
        >
          <div className="mb-2 flex items-center justify-between gap-2">
            <p className="text-sm font-semibold">{unread ? `${unread} unread` : "All read"}</p>
            {unread > 0 && (
              <Button variant="ghost" busy={markAll.isPending} onClick={() => markAll.mutate()}>
                Mark all read
              </Button>
            )}
          </div>
          {latest.error && !latest.data ? (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {latest.error.message}
            </p>
          ) : !latest.data ? (
            <p className="text-sm text-slate-600 dark:text-slate-300">Loading…</p>
          ) : latest.data.items.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-300">No notifications yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100 dark:divide-slate-800">
              {latest.data.items.map((notification) => (
                <li key={notification.id} className="py-2">
                  <NotificationItem
                    notification={notification}
                    householdName={householdName(notification.household_id)}
                    onOpen={(item) => {
                      setExpanded(false);
                      open(item);
                    }}
                  />
                </li>
              ))}
            </ul>
          )}
          <Link
            href="/notifications"
            onClick={() => setExpanded(false)}
            className="mt-2 block text-sm text-indigo-700 underline dark:text-indigo-300"
          >
            All notifications
          </Link>
        </div>
      )}
    </div>
  );
}
