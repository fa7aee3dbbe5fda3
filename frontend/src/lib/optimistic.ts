import type { QueryClient, QueryKey } from "@tanstack/react-query";

/** A list answer of the API (the page envelope). */
interface PageOf<T> {
  items: T[];
  total: number;
}

/**
 * Change every cached page under ``prefix`` at once (an optimistic write) and return what puts
 * them back (on an error). ``change`` gets a page's items and its key, and returns the new items;
 * the total follows the count.
 */
export async function updatePages<T>(
  queryClient: QueryClient,
  prefix: QueryKey,
  change: (items: T[], key: QueryKey) => T[],
): Promise<() => void> {
  // A refetch in flight would overwrite the change with the answer from before it.
  await queryClient.cancelQueries({ queryKey: prefix });
  const before = queryClient.getQueriesData<PageOf<T>>({ queryKey: prefix });
  for (const [key, data] of before) {
    if (!data || !Array.isArray(data.items)) continue;
    const items = change(data.items, key);
    queryClient.setQueryData<PageOf<T>>(key, { ...data, items, total: Math.max(0, data.total + items.length - data.items.length) });
  }
  return () => before.forEach(([key, data]) => queryClient.setQueryData(key, data));
}

let provisional = 0;
/** An id for an item shown before the API has given it one (negative: never a real id). */
export function provisionalId(): number {
  provisional -= 1;
  return provisional;
}
