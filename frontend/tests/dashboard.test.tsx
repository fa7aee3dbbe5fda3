import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import { Dashboard } from "@/features/analytics/components/dashboard";
import type { Schema } from "@/lib/api-client";

import { API, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

// Only Date is faked: "today" is Sunday 15 March 2026 (UTC, the user's time zone); timers stay real for MSW.
const NOW = new Date("2026-03-15T12:00:00Z");

function summary(query: URLSearchParams): Schema<"Summary"> {
  const from = query.get("date_from")!;
  const feb = from === "2026-02-01";
  return {
    period: { from, to: query.get("date_to")! },
    previous_period: feb ? { from: "2026-01-01", to: "2026-01-31" } : { from: "2026-02-01", to: "2026-02-15" },
    groups: [
      {
        key: "gas",
        label: "Gas",
        unit: "m3",
        total: feb ? 40 : 12.5,
        count: 2,
        average_per_day: 0.4,
        min: 5,
        max: 7.5,
        cost_total: 20,
        cost_usage: 20,
        cost_standing: 0,
        cost_tax: 0,
        previous_total: 10,
        change_pct: feb ? 300 : 25,
      },
    ],
  };
}

let timeseries: URLSearchParams[];
let summaries: URLSearchParams[];

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
  timeseries = [];
  summaries = [];
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [meter(1, "Gas", "gas", "m3")] })),
    http.get(`${API}/api/records`, () => HttpResponse.json({ items: [], page: 1, per_page: 1, total: 5, pages: 5 })),
    http.get(`${API}/api/analytics/summary`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      summaries.push(query);
      return HttpResponse.json(summary(query));
    }),
    http.get(`${API}/api/analytics/timeseries`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      timeseries.push(query);
      const byMeter = query.get("group_by") === "meter";
      const from = query.get("date_from")!;
      return HttpResponse.json({
        granularity: query.get("granularity"),
        period: { from, to: query.get("date_to")! },
        series: [
          {
            key: byMeter ? "3" : "gas",
            label: byMeter ? "Old gas" : "Gas",
            unit: "m3",
            points: [{ period_start: from, total: 4, count: 1, cost: 2, cost_usage: 2, cost_standing: 0, cost_tax: 0 }],
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

const asked = (queries: URLSearchParams[], ...names: string[]) => queries.map((query) => names.map((name) => query.get(name)).join(" "));

test("this month to date by default: figures in m³, compared with the same days of last month, charts by day", async () => {
  server.use(http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [meter(3, "Old gas", "gas", "m3", true)] })));
  renderInHousehold(<Dashboard />);

  const card = await screen.findByTestId("kpi-gas");
  expect(within(card).getByTestId("kpi-total")).toHaveTextContent("12.5 m³");
  expect(within(card).getByTestId("kpi-change")).toHaveTextContent("+25% vs 10 m³");
  expect(screen.getByTestId("period-title")).toHaveTextContent("March 2026");
  expect(await screen.findByRole("img", { name: "Gas consumption per day in m³" })).toBeInTheDocument();
  expect(await screen.findByRole("img", { name: "Cost per day by type in USD" })).toBeInTheDocument();
  expect(screen.getByTestId("period-range")).toHaveTextContent("Mar 1 – 15, 2026 · compared with Feb 1 – 15, 2026");
  expect(asked(summaries, "date_from", "date_to", "compare")).toEqual(["2026-03-01 2026-03-15 previous"]);
  expect(asked(timeseries, "date_from", "date_to", "granularity", "group_by").sort()).toEqual([
    "2026-03-01 2026-03-15 day meter",
    "2026-03-01 2026-03-15 day type",
  ]);
  expect(screen.getByRole("button", { name: "Next month" })).toBeDisabled();
  expect(screen.getByRole("button", { name: "Today" })).toBeDisabled();
  expect(window.location.search).toBe("");
});

test("the previous-month arrow shows February, writes it into the URL, and Today comes back", async () => {
  renderInHousehold(<Dashboard />);
  await screen.findByTestId("kpi-gas");

  fireEvent.click(screen.getByRole("button", { name: "Previous month" }));
  expect(await screen.findByText("40 m³")).toBeInTheDocument();
  expect(screen.getByTestId("period-title")).toHaveTextContent("February 2026");
  expect(window.location.search).toBe("?date=2026-02-01");
  expect(asked(summaries, "date_from", "date_to")).toEqual(["2026-03-01 2026-03-15", "2026-02-01 2026-02-28"]);
  await waitFor(() => expect(asked(timeseries, "date_from", "date_to", "group_by")).toContain("2026-02-01 2026-02-28 type"));
  expect(screen.getByRole("button", { name: "Next month" })).toBeEnabled();

  fireEvent.click(screen.getByRole("button", { name: "Today" }));
  expect(await screen.findByText("12.5 m³")).toBeInTheDocument();
  expect(window.location.search).toBe("");
});

test("a reloaded URL shows the same view: a week, compared with the same dates a year earlier", async () => {
  window.history.replaceState(null, "", "/dashboard?period=week&date=2026-03-04&compare=year");
  renderInHousehold(<Dashboard />);
  await screen.findByTestId("kpi-gas");

  expect(screen.getByRole("button", { name: "Week" })).toHaveAttribute("aria-pressed", "true");
  expect(screen.getByLabelText("Compare with")).toHaveValue("year");
  expect(asked(summaries, "date_from", "date_to", "compare")).toEqual(["2026-03-02 2026-03-08 year"]);

  fireEvent.click(screen.getByRole("button", { name: "Year" }));
  await waitFor(() => expect(asked(summaries, "date_from", "date_to", "compare")).toContain("2026-01-01 2026-03-15 year"));
  expect(window.location.search).toBe("?period=year&compare=year");
  await waitFor(() => expect(asked(timeseries, "granularity", "group_by")).toContain("month type"));
});

test("a custom period ending before it starts shows the error and none of the earlier figures", async () => {
  renderInHousehold(<Dashboard />);
  await screen.findByTestId("kpi-gas");

  fireEvent.click(screen.getByRole("button", { name: "Custom" }));
  fireEvent.change(screen.getByLabelText("To"), { target: { value: "1999-01-01" } });

  expect(await screen.findByText("The end must not be before the start")).toBeInTheDocument();
  expect(screen.queryByTestId("kpi-gas")).not.toBeInTheDocument();
  expect(screen.queryByTestId("cost-share")).not.toBeInTheDocument();
  expect(screen.queryByRole("img", { name: "Gas consumption per day in m³" })).not.toBeInTheDocument();
  expect(summaries.filter((query) => query.get("date_to") === "1999-01-01")).toEqual([]);
  expect(window.location.search).toBe("?period=custom&from=2026-03-01&to=1999-01-01");
});

test("a custom range over decades is drawn by month, never refused for too many days", async () => {
  window.history.replaceState(null, "", "/dashboard?period=custom&from=1960-01-01&to=2026-03-15");
  renderInHousehold(<Dashboard />);

  expect(await screen.findByRole("img", { name: "Gas consumption per month in m³" })).toBeInTheDocument();
  expect(asked(timeseries, "date_from", "granularity").sort()).toEqual(["1960-01-01 month", "1960-01-01 month"]);
});

test("a period without records shows no empty chart", async () => {
  server.use(
    http.get(`${API}/api/analytics/timeseries`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      return HttpResponse.json({
        granularity: "day",
        period: { from: query.get("date_from")!, to: query.get("date_to")! },
        series: [
          {
            key: "gas",
            label: "Gas",
            unit: "m3",
            points: [{ period_start: "2026-03-01", total: 0, count: 0, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 }],
          },
        ],
      });
    }),
  );
  renderInHousehold(<Dashboard />);
  expect(await screen.findAllByText("No records in this period")).toHaveLength(1);
  expect(screen.getByText("No costs in this period")).toBeInTheDocument();
  expect(screen.queryByRole("img", { name: "Gas consumption per day in m³" })).not.toBeInTheDocument();
});

test("a new account sees the first steps instead of empty figures and charts", async () => {
  server.use(http.get(`${API}/api/records`, () => HttpResponse.json({ items: [], page: 1, per_page: 1, total: 0, pages: 0 })));
  renderInHousehold(<Dashboard />);
  const steps = await screen.findByTestId("first-run");
  expect(
    within(steps)
      .getAllByRole("link")
      .map((link) => [link.textContent, link.getAttribute("href")]),
  ).toEqual([
    ["1. Add your first readingPick a meter, the day and the amount.", "/records?new=1"],
    ["2. Import a CSVBring your history from a spreadsheet in one go.", "/records?import=1"],
    ["3. Review your metersRename them, set their units, add the ones you read.", "/meters"],
  ]);
  expect(screen.queryByTestId("kpi-gas")).not.toBeInTheDocument();
  expect(screen.queryByRole("img")).not.toBeInTheDocument();
});
