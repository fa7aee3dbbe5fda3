import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { AppShell } from "@/components/app-shell";
import { MetersPage } from "@/features/meters/components/meters-page";
import { apiClient } from "@/lib/api-client";
import { currentHouseholdId, HOUSEHOLD_STORAGE_KEY } from "@/lib/household";

import { API, household, meter, server, USER } from "./support/api";
import { renderSignedIn } from "./support/render";

jest.mock("next/navigation", () => ({
  useRouter: () => ({ replace: jest.fn(), push: jest.fn() }),
  usePathname: () => "/meters",
  useSearchParams: () => new URLSearchParams(),
}));

class QuietSocket {
  close() {}
  send() {}
}

const HOME = household(1, "Home", "owner");
const CABIN = household(2, "Cabin", "viewer");
const METERS: Record<string, ReturnType<typeof meter>[]> = {
  "1": [meter(11, "Home power", "electricity", "kWh")],
  "2": [meter(21, "Cabin water", "water", "m3")],
};

let meterQueries: (string | null)[] = [];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  meterQueries = [];
  window.localStorage.clear();
  globalThis.WebSocket = QuietSocket as unknown as typeof WebSocket;
  server.use(
    // The user's default household is the cabin.
    http.post(`${API}/api/auth/refresh`, () =>
      HttpResponse.json({
        access_token: "tok",
        refresh_token: "r",
        token_type: "Bearer",
        expires_in: 900,
        user: { ...USER, default_household_id: 2 },
      }),
    ),
    http.get(`${API}/api/households`, () => HttpResponse.json({ items: [HOME, CABIN] })),
    http.get(`${API}/api/meters`, ({ request }) => {
      const id = new URL(request.url).searchParams.get("household_id");
      meterQueries.push(id);
      return HttpResponse.json({ items: METERS[id ?? ""] ?? [] });
    }),
  );
});
afterEach(() => {
  server.resetHandlers();
  apiClient.setToken(null);
});
afterAll(() => server.close());

function renderMeters() {
  return renderSignedIn(
    <AppShell>
      <MetersPage />
    </AppShell>,
  );
}

test("without a remembered choice the user's default household shows, and its meters are asked for by household_id", async () => {
  renderMeters();
  expect(await screen.findByText("Cabin water")).toBeInTheDocument();
  expect(screen.getByTestId("household-switcher")).toHaveValue("2");
  expect(screen.getByTestId("household-role")).toHaveTextContent("Viewer");
  expect(screen.queryByText("Home power")).not.toBeInTheDocument();
  expect(meterQueries).toEqual(["2"]);
  expect(window.localStorage.getItem(HOUSEHOLD_STORAGE_KEY)).toBeNull();
});

test("switching refetches on the new household, remembers its id only, and the choice survives a reload", async () => {
  const person = userEvent.setup();
  const first = renderMeters();
  expect(await screen.findByText("Cabin water")).toBeInTheDocument();

  await person.selectOptions(screen.getByTestId("household-switcher"), "1");
  expect(await screen.findByText("Home power")).toBeInTheDocument();
  expect(screen.queryByText("Cabin water")).not.toBeInTheDocument();
  expect(meterQueries).toEqual(["2", "1"]);
  expect(currentHouseholdId()).toBe(1);
  // The id, nothing else: no token, no household data.
  expect(window.localStorage.getItem(HOUSEHOLD_STORAGE_KEY)).toBe("1");
  expect(Object.keys(window.localStorage)).toEqual([HOUSEHOLD_STORAGE_KEY]);
  // Each household's meters are cached under their own key.
  expect(
    first.queryClient
      .getQueryCache()
      .findAll({ queryKey: ["meters"] })
      .map((query) => query.queryKey),
  ).toEqual([
    ["meters", { household_id: 2 }],
    ["meters", { household_id: 1 }],
  ]);
  first.unmount();

  meterQueries = [];
  renderMeters();
  expect(await screen.findByText("Home power")).toBeInTheDocument();
  expect(screen.getByTestId("household-switcher")).toHaveValue("1");
  expect(meterQueries).toEqual(["1"]);
});

test("a remembered household the user has left falls back to the default one", async () => {
  window.localStorage.setItem(HOUSEHOLD_STORAGE_KEY, "99");
  renderMeters();
  expect(await screen.findByText("Cabin water")).toBeInTheDocument();
  expect(screen.getByTestId("household-switcher")).toHaveValue("2");
  expect(meterQueries).toEqual(["2"]);
});

test("records and analytics queries carry the current household too", async () => {
  const { recordsQuery, defaultFilters } = await import("@/features/records/api/records");
  const { summaryQuery } = await import("@/features/analytics/api/analytics");
  renderMeters();
  await screen.findByText("Cabin water");
  expect(recordsQuery(defaultFilters).queryKey).toEqual(["records", "list", { household_id: 2 }, defaultFilters]);
  expect(summaryQuery({ group_by: "type" }).queryKey).toEqual(["analytics", "summary", { household_id: 2 }, { group_by: "type" }]);

  const requests: string[] = [];
  server.use(
    http.get(`${API}/api/records`, ({ request }) => {
      requests.push(new URL(request.url).search);
      return HttpResponse.json({ items: [], total: 0, page: 1, per_page: 20, pages: 0 });
    }),
    http.get(`${API}/api/analytics/summary`, ({ request }) => {
      requests.push(new URL(request.url).search);
      return HttpResponse.json({
        groups: [],
        period: { from: "2026-01-01", to: "2026-01-31" },
        previous_period: { from: "2025-12-01", to: "2025-12-31" },
      });
    }),
  );
  const signal = new AbortController().signal;
  const run = <T,>(options: { queryFn?: unknown }) => (options.queryFn as (context: { signal: AbortSignal }) => Promise<T>)({ signal });
  await run(recordsQuery(defaultFilters));
  await run(summaryQuery({ group_by: "type" }));
  await waitFor(() => expect(requests).toEqual(["?sort=-date&page=1&per_page=20&household_id=2", "?group_by=type&household_id=2"]));
});
