import type { Summary, Timeseries } from "@/features/analytics/api/analytics";
import { bucketCount, costShare, kpiCards, meterLine, periodLabel, presetRange, stackedBars } from "@/features/analytics/utils/shaping";
import { todayIn } from "@/lib/dates";

const summary: Summary = {
  period: { from: "2026-03-01", to: "2026-03-31" },
  previous_period: { from: "2026-01-29", to: "2026-02-28" },
  groups: [
    {
      key: "water",
      label: "Water",
      unit: "m3",
      total: 12.5,
      count: 3,
      average_per_day: 0.403,
      min: 2,
      max: 6,
      cost_total: 30.25,
      previous_total: 10,
      change_pct: 25,
    },
    {
      key: "electricity",
      label: "Electricity",
      unit: "kWh",
      total: 300,
      count: 10,
      average_per_day: 9.677,
      min: 20,
      max: 40,
      cost_total: 90.75,
      previous_total: 400,
      change_pct: -25,
    },
    {
      key: "gas",
      label: "Gas",
      unit: "m3",
      total: 4,
      count: 1,
      average_per_day: 0.129,
      min: 4,
      max: 4,
      cost_total: 0,
      previous_total: 0,
      change_pct: null,
    },
  ],
};

test("KPI cards come in type order with trend and cost", () => {
  expect(kpiCards(summary)).toEqual([
    {
      key: "electricity",
      label: "Electricity",
      unit: "kWh",
      total: 300,
      previous: 400,
      changePct: -25,
      trend: "down",
      cost: 90.75,
      count: 10,
    },
    { key: "water", label: "Water", unit: "m3", total: 12.5, previous: 10, changePct: 25, trend: "up", cost: 30.25, count: 3 },
    { key: "gas", label: "Gas", unit: "m3", total: 4, previous: 0, changePct: null, trend: "new", cost: 0, count: 1 },
  ]);
});

test("cost share adds up and leaves out types without cost", () => {
  expect(costShare(summary)).toEqual({
    labels: ["Electricity", "Water"],
    data: [90.75, 30.25],
    colors: ["#f59e0b", "#0ea5e9"],
    total: 121,
    percents: [75, 25],
  });
  expect(costShare({ ...summary, groups: summary.groups.map((group) => ({ ...group, cost_total: 0 })) })).toBeNull();
});

const monthly: Timeseries = {
  granularity: "month",
  period: { from: "2026-01-01", to: "2026-02-28" },
  series: [
    {
      key: "water",
      label: "Water",
      unit: "m3",
      points: [
        { period_start: "2026-01-01", total: 5, count: 2, cost: 10 },
        { period_start: "2026-02-01", total: 0, count: 0, cost: 0 },
      ],
    },
    {
      key: "electricity",
      label: "Electricity",
      unit: "kWh",
      points: [
        { period_start: "2026-01-01", total: 100, count: 4, cost: 30.5 },
        { period_start: "2026-02-01", total: 50, count: 1, cost: 12 },
      ],
    },
  ],
};

test("stacked bars align every type on the same months", () => {
  const cost = stackedBars(monthly, "cost");
  expect(cost.labels).toEqual(["Jan 2026", "Feb 2026"]);
  expect(cost.datasets.map((dataset) => [dataset.label, dataset.data, dataset.backgroundColor])).toEqual([
    ["Electricity", [30.5, 12], "#f59e0b"],
    ["Water", [10, 0], "#0ea5e9"],
  ]);
  expect(stackedBars(monthly, "count").datasets.map((dataset) => dataset.data)).toEqual([
    [4, 1],
    [2, 0],
  ]);
});

test("meter line uses the series totals", () => {
  const daily: Timeseries = {
    granularity: "day",
    period: { from: "2026-03-01", to: "2026-03-02" },
    series: [
      {
        key: "7",
        label: "Main meter",
        unit: "kWh",
        points: [
          { period_start: "2026-03-01", total: 1.5, count: 1, cost: 0 },
          { period_start: "2026-03-02", total: 0, count: 0, cost: 0 },
        ],
      },
    ],
  };
  expect(meterLine(daily)).toEqual({
    labels: ["Mar 1", "Mar 2"],
    datasets: [
      { label: "Main meter (kWh)", unit: "kWh", data: [1.5, 0], backgroundColor: "rgba(99, 102, 241, 0.15)", borderColor: "#6366f1" },
    ],
  });
  expect(meterLine({ granularity: "day", period: { from: "2026-03-01", to: "2026-03-02" }, series: [] })).toEqual({
    labels: [],
    datasets: [],
  });
});

test("period labels per granularity", () => {
  expect(periodLabel("2026-12-01", "month")).toBe("Dec 2026");
  expect(periodLabel("2026-03-09", "week")).toBe("Mar 9");
  expect(periodLabel("2026-01-01", "year")).toBe("2026");
});

test("preset ranges", () => {
  expect(presetRange("this-month", "2026-03-15")).toEqual({ from: "2026-03-01", to: "2026-03-15" });
  expect(presetRange("last-month", "2026-03-15")).toEqual({ from: "2026-02-01", to: "2026-02-28" });
  expect(presetRange("last-month", "2026-01-10")).toEqual({ from: "2025-12-01", to: "2025-12-31" });
  expect(presetRange("last-30-days", "2026-03-15")).toEqual({ from: "2026-02-14", to: "2026-03-15" });
  expect(presetRange("this-year", "2024-02-29")).toEqual({ from: "2024-01-01", to: "2024-02-29" });
});

test("today in the user's time zone", () => {
  const instant = new Date("2026-03-01T02:30:00Z");
  expect(todayIn("UTC", instant)).toBe("2026-03-01");
  expect(todayIn("America/New_York", instant)).toBe("2026-02-28");
  expect(todayIn("Asia/Tokyo", instant)).toBe("2026-03-01");
});

test("other meters are grouped per unit and keep a stable order and colour", () => {
  const mixed: Summary = {
    ...summary,
    groups: [
      {
        key: "other:pellets",
        label: "Other (pellets)",
        unit: "pellets",
        total: 2,
        count: 1,
        average_per_day: 0.065,
        min: 2,
        max: 2,
        cost_total: 10,
        previous_total: 0,
        change_pct: null,
      },
      {
        key: "other:L",
        label: "Other (L)",
        unit: "L",
        total: 1,
        count: 1,
        average_per_day: 0.032,
        min: 1,
        max: 1,
        cost_total: 30,
        previous_total: 0,
        change_pct: null,
      },
      summary.groups[1]!,
    ],
  };
  expect(kpiCards(mixed).map((kpi) => kpi.key)).toEqual(["electricity", "other:pellets", "other:L"]);
  expect(costShare(mixed)?.colors).toEqual(["#f59e0b", "#10b981", "#f97316"]);
  expect(costShare(mixed)?.percents).toEqual([69.4, 7.6, 22.9]);
});

test("periods are counted as the API counts them (weeks from Monday)", () => {
  expect(bucketCount("2026-03-01", "2026-03-31", "day")).toBe(31);
  expect(bucketCount("1900-01-01", "2026-03-31", "day")).toBe(46_111);
  // Sunday 1 March is in the week of Monday 23 February; Monday 2 March starts the next.
  expect(bucketCount("2026-03-01", "2026-03-02", "week")).toBe(2);
  expect(bucketCount("2026-03-02", "2026-03-08", "week")).toBe(1);
  expect(bucketCount("2025-11-15", "2026-02-01", "month")).toBe(4);
  expect(bucketCount("1999-12-31", "2026-01-01", "year")).toBe(28);
});
