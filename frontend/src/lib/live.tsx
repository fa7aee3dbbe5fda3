"use client";

import { useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";

import { env } from "@/config/env";
import { apiClient } from "@/lib/api-client";
import { queryRoots } from "@/lib/query-keys";

export type LiveStatus = "connecting" | "live" | "offline";
/** A change pushed by the server, or "resync" after (re)connecting: anything may have changed meanwhile. */
export interface LiveEvent {
  type:
    | "record.created"
    | "record.updated"
    | "record.deleted"
    | "records.imported"
    | "reading.created"
    | "reading.updated"
    | "reading.deleted"
    | "readings.imported"
    | "meter.changed"
    | "household.changed"
    | "member.changed"
    | "tariff.changed"
    | "bill.created"
    | "bill.updated"
    | "bill.deleted"
    | "budget.created"
    | "budget.updated"
    | "budget.deleted"
    | "notification.created"
    | "resync";
  [key: string]: unknown;
}
type Handler = (event: LiveEvent) => void;

const EVENT_TYPES = new Set([
  "record.created",
  "record.updated",
  "record.deleted",
  "records.imported",
  "reading.created",
  "reading.updated",
  "reading.deleted",
  "readings.imported",
  "meter.changed",
  "household.changed",
  "member.changed",
  "tariff.changed",
  "bill.created",
  "bill.updated",
  "bill.deleted",
  "budget.created",
  "budget.updated",
  "budget.deleted",
  "notification.created",
]);

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 30 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  return Math.round(base / 2 + (random() * base) / 2);
}

/** What each pushed change makes stale: the one place live events turn into refetches. */
export const LIVE_INVALIDATIONS: Record<LiveEvent["type"], readonly QueryKey[]> = {
  // Consumption also moves the budgets' progress (used and forecast).
  "record.created": [queryRoots.records, queryRoots.analytics, queryRoots.budgets],
  "record.updated": [queryRoots.records, queryRoots.analytics, queryRoots.budgets],
  "record.deleted": [queryRoots.records, queryRoots.analytics, queryRoots.budgets],
  // An import may create meters.
  "records.imported": [queryRoots.records, queryRoots.analytics, queryRoots.meters, queryRoots.budgets],
  // A reading changes its meter's last reading and the derived daily consumption.
  "reading.created": [queryRoots.readings, queryRoots.meters, queryRoots.analytics, queryRoots.budgets],
  "reading.updated": [queryRoots.readings, queryRoots.meters, queryRoots.analytics, queryRoots.budgets],
  "reading.deleted": [queryRoots.readings, queryRoots.meters, queryRoots.analytics, queryRoots.budgets],
  "readings.imported": [queryRoots.readings, queryRoots.meters, queryRoots.analytics, queryRoots.budgets],
  // Meter names show in the records; archiving changes the analytics' meters.
  "meter.changed": [queryRoots.meters, queryRoots.records, queryRoots.analytics],
  // A household's name, time zone, currency or billing day: its periods and costs change too.
  "household.changed": [queryRoots.households, queryRoots.analytics],
  // Roles and member counts; a removed member's list loses the household (the switcher then falls back).
  "member.changed": [queryRoots.households],
  // A tariff prices every day it applies to, past ones too: the costs and the bills' computed side change.
  // Budgets with a cost limit follow the prices too.
  "tariff.changed": [queryRoots.tariffs, queryRoots.analytics, queryRoots.bills, queryRoots.budgets],
  // A bill is its own: no other figure is computed from it.
  "bill.created": [queryRoots.bills],
  "bill.updated": [queryRoots.bills],
  "bill.deleted": [queryRoots.bills],
  // A budget changed elsewhere (its progress comes with it).
  "budget.created": [queryRoots.budgets],
  "budget.updated": [queryRoots.budgets],
  "budget.deleted": [queryRoots.budgets],
  // A new alert for this user: the bell's unread count and the lists.
  "notification.created": [queryRoots.notifications],
  // Reconnected: anything may have changed meanwhile.
  resync: [
    queryRoots.households,
    queryRoots.meters,
    queryRoots.records,
    queryRoots.readings,
    queryRoots.analytics,
    queryRoots.tariffs,
    queryRoots.bills,
    queryRoots.budgets,
    queryRoots.notifications,
  ],
};

export function invalidateFor(queryClient: QueryClient, event: LiveEvent): Promise<void[]> {
  return Promise.all(LIVE_INVALIDATIONS[event.type].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

interface LiveValue {
  status: LiveStatus;
  subscribe(handler: Handler): () => void;
}

const LiveContext = createContext<LiveValue | null>(null);

/** One WebSocket per tab: authenticates with the access token, reconnects with backoff. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const handlers = useRef(new Set<Handler>());
  const queryClient = useQueryClient();

  useEffect(() => {
    let socket: WebSocket | null = null;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let everReady = false;
    let authedWith: string | null = null;

    const dispatch = (event: LiveEvent) => {
      void invalidateFor(queryClient, event);
      handlers.current.forEach((handler) => handler(event));
    };

    const schedule = (delay: number) => {
      clearTimeout(timer);
      timer = setTimeout(connect, delay);
    };

    function connect() {
      if (stopped) return;
      const token = apiClient.getToken();
      if (!token) {
        setStatus("offline");
        return; // onToken reconnects once a token exists
      }
      setStatus("connecting");
      const ws = new WebSocket(env().NEXT_PUBLIC_WS_URL);
      socket = ws;
      ws.onopen = () => {
        authedWith = token;
        ws.send(JSON.stringify({ type: "auth", token }));
      };
      ws.onmessage = (message: MessageEvent) => {
        let data: LiveEvent;
        try {
          data = JSON.parse(String(message.data)) as LiveEvent;
        } catch {
          return;
        }
        if ((data.type as string) === "ready") {
          attempt = 0;
          setStatus("live");
          if (everReady) dispatch({ type: "resync" });
          everReady = true;
        } else if (EVENT_TYPES.has(data.type)) {
          dispatch(data);
        }
      };
      ws.onclose = (event: CloseEvent) => {
        if (socket !== ws || stopped) return;
        socket = null;
        setStatus("offline");
        if (event.code === 4401) {
          // The token expired or was refused: get a fresh one, then reconnect at once.
          apiClient
            .refreshSession()
            .then(() => schedule(0))
            .catch(() => undefined);
          return;
        }
        schedule(backoffDelay(attempt++));
      };
    }

    const offToken = apiClient.onToken((token) => {
      if (!token) {
        socket?.close(1000);
        socket = null;
        setStatus("offline");
      } else if (token !== authedWith) {
        // A refreshed token: authenticate a new socket with it before the old one expires.
        const old = socket;
        socket = null;
        old?.close(1000);
        schedule(0);
      }
    });

    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      offToken();
      socket?.close(1000);
    };
  }, [queryClient]);

  const value = useRef<LiveValue>({
    status: "connecting",
    subscribe(handler: Handler) {
      handlers.current.add(handler);
      return () => {
        handlers.current.delete(handler);
      };
    },
  });
  return <LiveContext.Provider value={{ ...value.current, status }}>{children}</LiveContext.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext)?.status ?? "offline";
}

/** Call ``handler`` for every live event (the latest handler is always used). */
export function useLiveEvents(handler: Handler): void {
  const live = useContext(LiveContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  const subscribe = live?.subscribe;
  useEffect(() => (subscribe ? subscribe((event) => latest.current(event)) : undefined), [subscribe]);
}
