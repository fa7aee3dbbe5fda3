/**
 * The roots of every cached query. Query functions send their requests silently: the page
 * shows a failed query where its data would be (with "Try again"), so no toast repeats it.
 * Features build their keys under these, and the live
 * updates (lib/live.tsx) invalidate by root, so a pushed change refetches what shows it.
 * Keys of household data carry the household (`householdKey()` in lib/household.tsx).
 */
export const queryRoots = {
  meters: ["meters"],
  records: ["records"],
  /** Meter readings (the registers' values, PRODUCT.md §10). */
  readings: ["readings"],
  analytics: ["analytics"],
  adminUsers: ["admin", "users"],
  /** The user's households, and each one's members, invitations and share links. */
  households: ["households"],
  /** Each meter's tariff versions (what its costs are priced with). */
  tariffs: ["tariffs"],
  /** The household's bills, each with its computed side and difference. */
  bills: ["bills"],
  /** The household's budgets, each with its progress (used, forecast) over its period. */
  budgets: ["budgets"],
  /** The user's own notifications (every household's) and their unread count. */
  notifications: ["notifications"],
  /** A household's webhooks and their delivery logs (owners only). */
  webhooks: ["webhooks"],
  /** A public share link's household and analytics. */
  shared: ["shared"],
} as const;
