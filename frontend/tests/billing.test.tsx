import { fireEvent, screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import type { Billing } from "@/features/analytics/api/billing";
import { Dashboard } from "@/features/analytics/components/dashboard";

import { API, household, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

// Only Date is faked: "today" is Sunday 15 March 2026 (UTC); timers stay real for MSW.
const NOW = new Date("2026-03-15T12:00:00Z");

const BILLING: Billing = {
  period: { from: "2026-02-28", to: "2026-03-27" },
  days_elapsed: 16,
  days_total: 28,
  groups: [
    {
      key: "electricity",
      label: "Electricity",
      unit: "kWh",
      to_date_total: 160,
      to_date_cost: 52.8,
      forecast_total: 280,
      forecast_cost: 92.4,
      previous_total: 300,
      previous_cost: 98.75,
      last_year_total: 250.5,
      last_year_cost: 70.1,
    },
  ],
};

let billingQueries: string[];

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
  window.history.replaceState(null, "", "/dashboard");
  billingQueries = [];
  server.use(
    http.get(`${API}/api/households`, () =>
      HttpResponse.json({ items: [household(1, "Home", "owner", { currency: "EUR", billing_day: 28 })] }),
    ),
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [meter(1, "Power", "electricity", "kWh")] })),
    http.get(`${API}/api/records`, () => HttpResponse.json({ items: [], page: 1, per_page: 1, total: 5, pages: 5 })),
    http.get(`${API}/api/analytics/billing`, ({ request }) => {
      billingQueries.push(new URL(request.url).searchParams.toString());
      return HttpResponse.json(BILLING);
    }),
    http.get(`${API}/api/analytics/summary`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      return HttpResponse.json({
        period: { from: query.get("date_from"), to: query.get("date_to") },
        previous_period: { from: "2026-02-01", to: "2026-02-15" },
        groups: [
          {
            key: "electricity",
            label: "Electricity",
            unit: "kWh",
            total: 150,
            count: 15,
            average_per_day: 10,
            min: 8,
            max: 12,
            cost_usage: 37.5,
            cost_standing: 6,
            cost_tax: 8.7,
            cost_total: 52.2,
            previous_total: 140,
            change_pct: 7.1,
          },
          {
            key: "water",
            label: "Water",
            unit: "m3",
            total: 3,
            count: 3,
            average_per_day: 0.2,
            min: 1,
            max: 1,
            cost_usage: 4.05,
            cost_standing: 1.5,
            cost_tax: 0.39,
            cost_total: 5.94,
            previous_total: 3,
            change_pct: 0,
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

test("the billing card shows the period, to date, the forecast with the days left, the previous period and last year", async () => {
  renderInHousehold(<Dashboard />);
  const card = await screen.findByTestId("billing-electricity");
  expect(screen.getByTestId("billing-period")).toHaveTextContent("Feb 28 – Mar 27, 2026 · day 16 of 28");
  expect(within(card).getByTestId("billing-to-date")).toHaveTextContent("To date€52.80 160 kWh");
  expect(within(card).getByTestId("billing-forecast")).toHaveTextContent("Forecast (12 days left)€92.40 280 kWh");
  expect(within(card).getByTestId("billing-previous")).toHaveTextContent("Previous period€98.75 300 kWh");
  expect(within(card).getByTestId("billing-last-year")).toHaveTextContent("Same period last year€70.10 251 kWh");
  expect(billingQueries).toEqual(["group_by=type&date=2026-03-15&household_id=1"]);
});

test("a period already over has no days left: its forecast is its total", async () => {
  server.use(http.get(`${API}/api/analytics/billing`, () => HttpResponse.json({ ...BILLING, days_elapsed: 28 })));
  renderInHousehold(<Dashboard />);
  const card = await screen.findByTestId("billing-electricity");
  expect(within(card).getByTestId("billing-forecast")).toHaveTextContent("Period total€92.40 280 kWh");
  expect(screen.getByTestId("billing-period")).toHaveTextContent("day 28 of 28");
});

test("the cost breakdown shows usage, standing charges and tax per type and in total, in the household's currency", async () => {
  renderInHousehold(<Dashboard />);
  const electricity = await screen.findByTestId("cost-breakdown-electricity");
  expect(electricity).toHaveTextContent("Electricity€37.50€6.00€8.70€52.20");
  expect(screen.getByTestId("cost-breakdown-water")).toHaveTextContent("Water€4.05€1.50€0.39€5.94");
  expect(screen.getByTestId("cost-breakdown-total")).toHaveTextContent("Total€41.55€7.50€9.09€58.14");
});

test("the billing card follows the period chosen: a past month asks for the billing period of its last day", async () => {
  renderInHousehold(<Dashboard />);
  await screen.findByTestId("billing-electricity");
  fireEvent.click(screen.getByRole("button", { name: "Previous month" }));
  await screen.findByText("February 2026");
  expect(billingQueries).toEqual(["group_by=type&date=2026-03-15&household_id=1", "group_by=type&date=2026-02-28&household_id=1"]);
});
