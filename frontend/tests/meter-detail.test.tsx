import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import { MeterDetail } from "@/features/tariffs/components/meter-detail";
import { MetersPage } from "@/features/meters/components/meters-page";

import { API, household, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

const NOW = new Date("2026-03-15T12:00:00Z");

let summaries: string[];
let timeseries: string[];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
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
  summaries = [];
  timeseries = [];
  server.use(
    http.get(`${API}/api/households`, () => HttpResponse.json({ items: [household(1, "Home", "owner", { currency: "EUR" })] })),
    http.get(`${API}/api/meters`, () =>
      HttpResponse.json({ items: [meter(1, "Power", "electricity", "kWh"), meter(2, "Gas", "gas", "m3")] }),
    ),
    http.get(`${API}/api/records`, ({ request }) => {
      const meterId = Number(new URL(request.url).searchParams.get("meter_id"));
      return HttpResponse.json({
        items: [
          {
            id: 100,
            household_id: 1,
            meter_id: meterId,
            meter_name: "Power",
            created_by: 1,
            type: "electricity",
            unit: "kWh",
            date: "2026-03-14",
            amount: 7.25,
            cost: null,
            note: null,
            created_at: "2026-03-14T00:00:00+00:00",
            updated_at: "2026-03-14T00:00:00+00:00",
          },
        ],
        page: 1,
        per_page: 1,
        total: 9,
        pages: 9,
      });
    }),
    http.get(`${API}/api/analytics/summary`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      summaries.push(query.toString());
      return HttpResponse.json({
        period: { from: query.get("date_from"), to: query.get("date_to") },
        previous_period: { from: "2026-02-01", to: "2026-02-15" },
        groups: [
          {
            key: "1",
            label: "Power",
            unit: "kWh",
            total: 96.5,
            count: 9,
            average_per_day: 6.4,
            min: 3,
            max: 12,
            cost_total: 31.75,
            previous_total: 80,
            change_pct: 20.6,
          },
        ],
      });
    }),
    http.get(`${API}/api/analytics/timeseries`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      timeseries.push(query.toString());
      return HttpResponse.json({
        granularity: "day",
        period: { from: query.get("date_from"), to: query.get("date_to") },
        series: [
          {
            key: "1",
            label: "Power",
            unit: "kWh",
            points: [
              { period_start: "2026-03-13", total: 0, count: 0, cost: 0 },
              { period_start: "2026-03-14", total: 7.25, count: 1, cost: 2.4 },
            ],
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

test("the meter page shows what the meter is, its last value, this month's total and trend, its daily chart and tariffs", async () => {
  renderInHousehold(<MeterDetail id={1} />);
  expect(await screen.findByRole("heading", { name: "Power", level: 1 })).toBeInTheDocument();
  expect(screen.getByTestId("meter-kind")).toHaveTextContent("Electricity · kWh · Records");
  expect(screen.getByRole("link", { name: "Records" })).toHaveAttribute("href", "/records?meter_id=1");
  expect(await screen.findByTestId("meter-last")).toHaveTextContent("7.25 kWh on 03/14/2026");
  expect(await screen.findByTestId("meter-month")).toHaveTextContent("96.5 kWh · €31.75");
  expect(screen.getByTestId("meter-trend")).toHaveTextContent("+20.6%");
  expect(await screen.findByRole("img", { name: "Daily consumption in kWh" })).toBeInTheDocument();
  expect(await screen.findByText("No tariff yet")).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Add tariff" })).toBeInTheDocument();
  expect(summaries).toEqual(["group_by=meter&meter_id=1&date_from=2026-03-01&date_to=2026-03-15&household_id=1"]);
  expect(timeseries).toEqual(["group_by=meter&meter_id=1&granularity=day&date_from=2026-03-01&date_to=2026-03-15&household_id=1"]);
});

test("a meter of another household (or none) says so", async () => {
  renderInHousehold(<MeterDetail id={7} />);
  expect(await screen.findByText("This meter is not in the current household")).toBeInTheDocument();
  expect(screen.getByRole("link", { name: "Back to the meters" })).toHaveAttribute("href", "/meters");
});

test("the meters page links each meter to its detail, beside its last value, month total and trend", async () => {
  renderInHousehold(<MetersPage />);
  const link = await screen.findByRole("link", { name: "Power: details and tariffs" });
  expect(link).toHaveAttribute("href", "/meters/1");
  expect(screen.getByRole("link", { name: "Gas: details and tariffs" })).toHaveAttribute("href", "/meters/2");
  const stats = await screen.findByTestId("meter-stats-1");
  expect(
    await within(stats).findByText(/Last 7.25 kWh on 03\/14\/2026 · this month 96.5 kWh \(\+20.6% vs last month\)/),
  ).toBeInTheDocument();
});
