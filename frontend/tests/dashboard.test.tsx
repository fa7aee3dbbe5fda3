import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import { Dashboard } from "@/features/analytics/components/dashboard";
import type { Schema } from "@/lib/api-client";
import { todayIn } from "@/lib/dates";

import { API, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

const TODAY = todayIn("UTC");

function summary(from: string, to: string): Schema<"Summary"> {
  return {
    period: { from, to },
    previous_period: { from: "2025-12-01", to: "2025-12-31" },
    groups: [
      {
        key: "gas",
        label: "Gas",
        unit: "m3",
        total: 12.5,
        count: 2,
        average_per_day: 0.4,
        min: 5,
        max: 7.5,
        cost_total: 20,
        previous_total: 10,
        change_pct: 25,
      },
    ],
  };
}

let timeseries: URLSearchParams[];
let summaries: URLSearchParams[];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  timeseries = [];
  summaries = [];
  server.use(
    http.get(`${API}/api/analytics/summary`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      summaries.push(query);
      return HttpResponse.json(summary(query.get("date_from")!, query.get("date_to")!));
    }),
    http.get(`${API}/api/analytics/timeseries`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      timeseries.push(query);
      const byMeter = query.get("group_by") === "meter";
      return HttpResponse.json({
        granularity: query.get("granularity"),
        period: { from: query.get("date_from") ?? "2025-04-01", to: query.get("date_to") ?? TODAY },
        series: [
          {
            key: byMeter ? "3" : "gas",
            label: byMeter ? "Old gas" : "Gas",
            unit: "m3",
            points: [{ period_start: query.get("date_from") ?? "2026-01-01", total: 4, count: 1, cost: 2 }],
          },
        ],
      });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

test("the figures show with m³, and the meter chart draws an archived meter when every meter is archived", async () => {
  server.use(http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [meter(3, "Old gas", "gas", "m3", true)] })));
  renderInHousehold(<Dashboard />);

  const card = await screen.findByTestId("kpi-gas");
  expect(within(card).getByTestId("kpi-total")).toHaveTextContent("12.5 m³");
  expect(await screen.findByRole("img", { name: "Daily consumption of the chosen meter" })).toBeInTheDocument();
  expect(screen.queryByText("Loading chart…")).not.toBeInTheDocument();
  expect(screen.getByRole("option", { name: "Old gas (archived)" })).toBeInTheDocument();
  expect(timeseries.filter((query) => query.get("group_by") === "meter").map((query) => query.get("meter_id"))).toEqual(["3"]);
});

test("a custom period ending before it starts shows the error and none of the earlier figures", async () => {
  server.use(http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [meter(1, "Gas", "gas", "m3")] })));
  renderInHousehold(<Dashboard />);
  await screen.findByTestId("kpi-gas");

  fireEvent.change(screen.getByRole("combobox", { name: "Period" }), { target: { value: "custom" } });
  fireEvent.change(screen.getByLabelText("To"), { target: { value: "1999-01-01" } });

  expect(await screen.findByText("The end must not be before the start")).toBeInTheDocument();
  expect(screen.queryByTestId("kpi-gas")).not.toBeInTheDocument();
  expect(screen.queryByTestId("cost-share")).not.toBeInTheDocument();
  expect(screen.queryByRole("img", { name: "Daily consumption of the chosen meter" })).not.toBeInTheDocument();
  expect(summaries.filter((query) => query.get("date_to") === "1999-01-01")).toEqual([]);
});

test("a day chart over centuries says why instead of fetching or showing the old chart", async () => {
  server.use(http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [meter(1, "Gas", "gas", "m3")] })));
  renderInHousehold(<Dashboard />);
  await screen.findByRole("img", { name: "Daily consumption of the chosen meter" });

  fireEvent.change(screen.getByRole("combobox", { name: "Period" }), { target: { value: "custom" } });
  fireEvent.change(screen.getByLabelText("From"), { target: { value: "1960-01-01" } });

  const days = Math.round((Date.parse(TODAY) - Date.parse("1960-01-01")) / 86_400_000) + 1;
  expect(
    await screen.findByText(`${days} days is too many to draw (at most 3660): choose a shorter period or By week`),
  ).toBeInTheDocument();
  expect(screen.queryByRole("img", { name: "Daily consumption of the chosen meter" })).not.toBeInTheDocument();
  expect(timeseries.filter((query) => query.get("date_from") === "1960-01-01")).toEqual([]);

  fireEvent.change(screen.getByLabelText("By"), { target: { value: "week" } });
  expect(await screen.findByRole("img", { name: "Weekly consumption of the chosen meter" })).toBeInTheDocument();
  await waitFor(() =>
    expect(timeseries.filter((query) => query.get("date_from") === "1960-01-01").map((query) => query.get("granularity"))).toEqual([
      "week",
    ]),
  );
});
