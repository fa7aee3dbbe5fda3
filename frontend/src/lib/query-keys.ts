/**
 * The roots of every cached query. Query functions send their requests silently: the page
 * shows a failed query where its data would be (with "Try again"), so no toast repeats it.
 * Features build their keys under these, and the live
 * updates (lib/live.tsx) invalidate by root, so a pushed change refetches what shows it.
 */
export const queryRoots = {
  meters: ["meters"],
  records: ["records"],
  analytics: ["analytics"],
  adminUsers: ["admin", "users"],
} as const;
