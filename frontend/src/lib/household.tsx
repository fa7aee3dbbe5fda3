"use client";

/**
 * The current household: which one every page works on, the user's role in it, and the
 * switcher's choice remembered in localStorage (the id only).
 *
 * The id is also kept in this module (like the access token in the API client), so that the
 * features' query options read it without a hook: `withHousehold(query)` adds `household_id`
 * to a request and `householdKey()` to a query key. `HouseholdProvider` renders the page under
 * `key={id}`, so switching remounts it: every query is built again for the new household, and
 * nothing of the previous one (a filter on its meter, an open dialog) stays on screen.
 */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { client, type ApiError, type Schema } from "@/lib/api-client";
import { useAuth } from "@/lib/auth";
import { queryRoots } from "@/lib/query-keys";

export type Household = Schema<"HouseholdOut">;
export type HouseholdRole = Household["role"];

/** localStorage key of the switcher's choice: a household id, nothing else. */
export const HOUSEHOLD_STORAGE_KEY = "meterbook.household";

export const householdsQuery = () =>
  queryOptions({
    queryKey: [...queryRoots.households, "list"] as const,
    queryFn: async ({ signal }) => (await client.GET("/api/households", { signal, silent: true })).items,
  });

let currentId: number | null = null;

/** The household the pages work on (null before the households are known, or when the user has none). */
export function currentHouseholdId(): number | null {
  return currentId;
}

/** The part of a query key that names the current household. */
export function householdKey(): { household_id: number | null } {
  return { household_id: currentId };
}

/** ``query`` narrowed to the current household (left as is when there is none). */
export function withHousehold<Q extends object>(query: Q): Q {
  return currentId === null ? query : ({ ...query, household_id: currentId } as Q);
}

function readChoice(): number | null {
  try {
    const value = Number(window.localStorage.getItem(HOUSEHOLD_STORAGE_KEY));
    return Number.isInteger(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

function writeChoice(id: number) {
  try {
    window.localStorage.setItem(HOUSEHOLD_STORAGE_KEY, String(id));
  } catch {
    // Private mode or a full storage: the choice lasts for this page only.
  }
}

/** The remembered choice if the user is still a member, else their default household, else the first. */
export function pickHousehold(households: Household[], remembered: number | null, fallback: number | null | undefined): Household | null {
  return (
    households.find((household) => household.id === remembered) ??
    households.find((household) => household.id === fallback) ??
    households[0] ??
    null
  );
}

const WRITE_ROLES: readonly HouseholdRole[] = ["owner", "editor"];

interface HouseholdValue {
  households: Household[];
  current: Household | null;
  role: HouseholdRole | null;
  /** Editors and owners write meters and records; viewers only read. */
  canWrite: boolean;
  isOwner: boolean;
  select(id: number): void;
}

const HouseholdContext = createContext<HouseholdValue | null>(null);

/** Loads the user's households and renders ``children`` on the current one (see above). */
export function HouseholdProvider({
  children,
  loading,
  failed,
}: {
  children: ReactNode;
  loading: ReactNode;
  failed(retry: () => void, error: ApiError): ReactNode;
}) {
  const { user } = useAuth();
  const households = useQuery(householdsQuery());
  const [chosen, setChosen] = useState<number | null>(() => (typeof window === "undefined" ? null : readChoice()));

  const select = useCallback((id: number) => {
    writeChoice(id);
    setChosen(id);
  }, []);

  const defaultId = user?.default_household_id;
  const list = useMemo(() => households.data ?? [], [households.data]);
  const current = pickHousehold(list, chosen, defaultId);
  // Set during render, before any child builds its queries from it.
  currentId = current?.id ?? null;
  useEffect(
    () => () => {
      currentId = null;
    },
    [],
  );

  const value = useMemo<HouseholdValue>(() => {
    const role = current?.role ?? null;
    return { households: list, current, role, canWrite: role !== null && WRITE_ROLES.includes(role), isOwner: role === "owner", select };
  }, [list, current, select]);

  if (households.isPending) return <>{loading}</>;
  // A failed refetch keeps the households already known on screen.
  if (households.error && !households.data) return <>{failed(() => void households.refetch(), households.error)}</>;
  return (
    <HouseholdContext.Provider value={value}>
      <div key={current?.id ?? "none"} className="contents">
        {children}
      </div>
    </HouseholdContext.Provider>
  );
}

export function useHousehold(): HouseholdValue {
  const value = useContext(HouseholdContext);
  if (!value) throw new Error("useHousehold must be used inside <HouseholdProvider>");
  return value;
}

/** Whether the current household lets the user write (false outside a household context: hide, never guess). */
export function useCanWrite(): boolean {
  return useContext(HouseholdContext)?.canWrite ?? false;
}

/** The current household's currency and time zone (costs and periods use them); the user's own outside one. */
export function useHouseholdSettings(): { currency: string; timezone: string } {
  const current = useContext(HouseholdContext)?.current;
  const preferences = useAuth().user?.preferences;
  return {
    currency: current?.currency ?? preferences?.currency ?? "USD",
    timezone: current?.timezone ?? preferences?.timezone ?? "UTC",
  };
}
