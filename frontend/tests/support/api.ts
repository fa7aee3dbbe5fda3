import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";

import type { Schema } from "@/lib/api-client";

/** The API the SPA talks to in tests (env's default). */
export const API = "http://localhost:5000";

export const USER: Schema<"UserOut"> = {
  id: 1,
  default_household_id: 1,
  email: "ada@example.com",
  name: "Ada",
  role: "user",
  is_active: true,
  email_verified: true,
  preferences: { currency: "USD", timezone: "UTC" },
  created_at: "2026-01-01T00:00:00+00:00",
  updated_at: "2026-01-01T00:00:00+00:00",
};

export function meter(id: number, name: string, type: Schema<"MeterOut">["type"], unit: string, archived = false): Schema<"MeterOut"> {
  return {
    id,
    household_id: 1,
    name,
    type,
    unit,
    archived,
    created_at: "2026-01-01T00:00:00+00:00",
    updated_at: "2026-01-01T00:00:00+00:00",
  };
}

export type HouseholdItem = Schema<"HouseholdOut">;

export function household(
  id: number,
  name: string,
  role: HouseholdItem["role"] = "owner",
  extra: Partial<HouseholdItem> = {},
): HouseholdItem {
  return {
    id,
    name,
    timezone: "UTC",
    currency: "USD",
    billing_day: 1,
    role,
    member_count: 1,
    created_at: "2026-01-01T00:00:00+00:00",
    updated_at: "2026-01-01T00:00:00+00:00",
    ...extra,
  };
}

/** The user's one household, which they own (as after registration). */
export const HOME = household(1, "Home");

/** A session restored from the refresh cookie, as on every page load, and the user's households. */
export const sessionHandlers = [
  http.post(`${API}/api/auth/refresh`, () =>
    HttpResponse.json({
      access_token: "tok",
      refresh_token: "r",
      token_type: "Bearer",
      expires_in: 900,
      user: USER,
    }),
  ),
  http.get(`${API}/api/households`, () => HttpResponse.json({ items: [HOME] })),
];

/** Nothing recorded: what the side queries (totals, a meter's latest record) get unless a test says otherwise. */
export const emptyDataHandlers = [
  http.get(`${API}/api/records`, () => HttpResponse.json({ items: [], page: 1, per_page: 20, total: 0, pages: 0 })),
  http.get(`${API}/api/analytics/summary`, ({ request }) => {
    const query = new URL(request.url).searchParams;
    const from = query.get("date_from") ?? "2026-11-01";
    const to = query.get("date_to") ?? "2026-11-27";
    return HttpResponse.json({ period: { from, to }, previous_period: { from, to }, groups: [] });
  }),
  http.get(`${API}/api/analytics/timeseries`, ({ request }) => {
    const query = new URL(request.url).searchParams;
    const from = query.get("date_from") ?? "2026-11-01";
    const to = query.get("date_to") ?? "2026-11-27";
    return HttpResponse.json({ granularity: query.get("granularity") ?? "month", period: { from, to }, series: [] });
  }),
  // No tariffs, bills or billing figures unless a test says otherwise.
  http.get(`${API}/api/analytics/billing`, () =>
    HttpResponse.json({ period: { from: "2026-11-01", to: "2026-11-30" }, days_elapsed: 27, days_total: 30, groups: [] }),
  ),
  http.get(`${API}/api/meters/:id/tariffs`, () => HttpResponse.json({ items: [] })),
  http.get(`${API}/api/bills`, () => HttpResponse.json({ items: [], page: 1, per_page: 100, total: 0, pages: 0 })),
  // No budgets and no notifications (the header's bell asks on every signed-in page).
  http.get(`${API}/api/budgets`, () => HttpResponse.json({ items: [], page: 1, per_page: 100, total: 0, pages: 0 })),
  http.get(`${API}/api/notifications`, ({ request }) => {
    const perPage = Number(new URL(request.url).searchParams.get("per_page") ?? 20);
    return HttpResponse.json({ items: [], page: 1, per_page: perPage, total: 0, pages: 0, unread_count: 0 });
  }),
];

export const server = setupServer(...sessionHandlers, ...emptyDataHandlers);

export function error(status: number, code: string, message: string, details?: unknown) {
  return HttpResponse.json({ error: { code, message, ...(details ? { details } : {}) } }, { status });
}
