import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import { Dashboard } from "@/features/analytics/components/dashboard";
import type { ModedMeter } from "@/lib/meter-modes";

import { API, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

// The chart as a table of its bars, so the test reads the figures drawn.
jest.mock("react-chartjs-2", () => jest.requireActual("./support/chart-table"));

const NOW = new Date("2026-03-04T12:00:00Z");

/** A register read on 1 March 08:00 (100) and 3 March 20:00 (160): 60 kWh over 60 hours, cut at the midnights (UTC). */
const DAYS = [
  { period_start: "2026-03-01", total: 16, count: 1, cost: 0 },
  { period_start: "2026-03-02", total: 24, count: 0, cost: 0 },
  { period_start: "2026-03-03", total: 20, count: 1, cost: 0 },
  { period_start: "2026-03-04", total: 0, count: 0, cost: 0 },
];

const HOUSE: ModedMeter = {
  ...meter(1, "House", "electricity", "kWh"),
  mode: "readings",
  rollover_at: null,
  max_per_day: null,
  last_reading: { taken_at: "2026-03-03T20:00:00+00:00", value: 160 },
};

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  // Only Date is faked: timers stay real for MSW.
  jest.useFakeTimers({
    now: NOW,
    doNotFake: [
      "hrtime",
      "nextTick",
      "performance",
      "queueMicrotask",
      "requestAnimationFrame",
      "cancelAnimationFrame",
      "requestIdleCallback",
      "cancelIdleCallback",
      "setImmediate",
      "clearImmediate",
      "setInterval",
      "clearInterval",
      "setTimeout",
      "clearTimeout",
    ],
  });
  window.history.replaceState(null, "", "/dashboard");
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [HOUSE] })),
    // Readings only: the household has no record at all.
    http.get(`${API}/api/records`, () => HttpResponse.json({ items: [], page: 1, per_page: 1, total: 0, pages: 0 })),
    http.get(`${API}/api/analytics/summary`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const period = { from: query.get("date_from")!, to: query.get("date_to")! };
      return HttpResponse.json({
        period,
        previous_period: { from: "2026-02-01", to: "2026-02-04" },
        groups: [
          {
            key: "electricity",
            label: "Electricity",
            unit: "kWh",
            total: 60,
            count: 2,
            average_per_day: 15,
            min: 0,
            max: 24,
            cost_total: 0,
            previous_total: 0,
            change_pct: null,
          },
        ],
      });
    }),
    http.get(`${API}/api/analytics/timeseries`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const byMeter = query.get("group_by") === "meter";
      return HttpResponse.json({
        granularity: query.get("granularity"),
        period: { from: query.get("date_from")!, to: query.get("date_to")! },
        series: [{ key: byMeter ? "1" : "electricity", label: byMeter ? "House" : "Electricity", unit: "kWh", points: DAYS }],
      });
    }),
  );
});
afterEach(() => {
  server.resetHandlers();
  jest.useRealTimers();
});
afterAll(() => server.close());

test("a readings meter's derived daily consumption is the dashboard's chart (days without a reading too), not the first-run card", async () => {
  renderInHousehold(<Dashboard />);
  const chart = await screen.findByRole("table", { name: "Electricity consumption per day in kWh" });
  expect(
    within(chart)
      .getAllByRole("row")
      .map((row) => row.textContent),
  ).toEqual(["Electricity162420–"]);
  // 4 March is after the last reading: nothing derived, a gap rather than a zero.
  expect(within(screen.getByTestId("kpi-electricity")).getByTestId("kpi-total")).toHaveTextContent("60 kWh");
  expect(screen.queryByTestId("first-run")).not.toBeInTheDocument();
});

test("a readings meter not read yet leaves the first-run card", async () => {
  server.use(http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [{ ...HOUSE, last_reading: null }] })));
  renderInHousehold(<Dashboard />);
  expect(await screen.findByTestId("first-run")).toBeInTheDocument();
});
