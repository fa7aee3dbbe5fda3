import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import { Dashboard } from "@/features/analytics/components/dashboard";

import { API, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

// The chart as a table of its bars, so the test reads the figures drawn.
jest.mock("react-chartjs-2", () => jest.requireActual("./support/chart-table"));

const NOW = new Date("2026-03-02T12:00:00Z");

const point = (period_start: string, total: number, count = 1) => ({
  period_start,
  total,
  count,
  cost: 0,
  cost_usage: 0,
  cost_standing: 0,
  cost_tax: 0,
});

let meterQueries: URLSearchParams[];

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
  meterQueries = [];
  server.use(
    http.get(`${API}/api/meters`, () =>
      HttpResponse.json({ items: [meter(1, "House", "electricity", "kWh"), meter(2, "Plug", "electricity", "Wh")] }),
    ),
    http.get(`${API}/api/records`, () => HttpResponse.json({ items: [], page: 1, per_page: 1, total: 3, pages: 3 })),
    http.get(`${API}/api/analytics/summary`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      return HttpResponse.json({
        period: { from: query.get("date_from")!, to: query.get("date_to")! },
        previous_period: { from: "2026-02-01", to: "2026-02-02" },
        groups: [
          {
            key: "electricity",
            label: "Electricity",
            unit: "kWh",
            total: 13.5,
            count: 3,
            average_per_day: 6.75,
            min: 1.5,
            max: 10,
            cost_total: 0,
            cost_usage: 0,
            cost_standing: 0,
            cost_tax: 0,
            previous_total: 0,
            change_pct: null,
          },
        ],
      });
    }),
    http.get(`${API}/api/analytics/timeseries`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const period = { from: query.get("date_from")!, to: query.get("date_to")! };
      if (query.get("group_by") !== "meter")
        return HttpResponse.json({
          granularity: query.get("granularity"),
          period,
          series: [{ key: "electricity", label: "Electricity", unit: "kWh", points: [point("2026-03-01", 11.5), point("2026-03-02", 2)] }],
        });
      meterQueries.push(query);
      // As the API answers: the Wh meter in kWh with unit=type, in Wh otherwise.
      const canonical = query.get("unit") === "type";
      return HttpResponse.json({
        granularity: query.get("granularity"),
        period,
        series: [
          { key: "1", label: "House", unit: "kWh", points: [point("2026-03-01", 10), point("2026-03-02", 2)] },
          {
            key: "2",
            label: "Plug",
            unit: canonical ? "kWh" : "Wh",
            points: [point("2026-03-01", canonical ? 1.5 : 1500), point("2026-03-02", 0, 0)],
          },
        ],
      });
    }),
  );
});
afterEach(() => {
  server.resetHandlers();
  jest.useRealTimers();
});
afterAll(() => server.close());

test("a kWh meter and a Wh meter are stacked per meter, both in kWh", async () => {
  renderInHousehold(<Dashboard />);
  const chart = await screen.findByRole("table", { name: "Electricity consumption per day in kWh" });
  expect(
    within(chart)
      .getAllByRole("row")
      .map((row) => row.textContent),
  ).toEqual(["House102", "Plug1.5–"]);
  expect(meterQueries.map((query) => query.get("unit"))).toEqual(["type"]);
});
