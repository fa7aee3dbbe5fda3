import type { Summary, Timeseries } from "@/features/analytics/api/analytics";
import { bucketCount, consumptionBars, costBars, costShare, isEmptyChart, kpiCards, periodLabel } from "@/features/analytics/utils/shaping";
import { todayIn } from "@/lib/dates";
import type { Meter } from "@/lib/meters";

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
      cost_usage: 30.25,
      cost_standing: 0,
      cost_tax: 0,
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
      cost_usage: 90.75,
      cost_standing: 0,
      cost_tax: 0,
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
      cost_usage: 0,
      cost_standing: 0,
      cost_tax: 0,
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
  // A previous period starting before the first record: no comparison, though it has a total.
  const incomplete = { ...summary, groups: [{ ...summary.groups[2]!, previous_total: 1.5 }] };
  expect(kpiCards(incomplete).map((kpi) => kpi.trend)).toEqual(["incomplete"]);
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
        { period_start: "2026-01-01", total: 5, count: 2, cost: 10, cost_usage: 10, cost_standing: 0, cost_tax: 0 },
        { period_start: "2026-02-01", total: 0, count: 0, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 },
      ],
    },
    {
      key: "electricity",
      label: "Electricity",
      unit: "kWh",
      points: [
        { period_start: "2026-01-01", total: 100, count: 4, cost: 30.5, cost_usage: 30.5, cost_standing: 0, cost_tax: 0 },
        { period_start: "2026-02-01", total: 50, count: 1, cost: 12, cost_usage: 12, cost_standing: 0, cost_tax: 0 },
      ],
    },
  ],
};

test("cost bars align every type on the same months; a month without records is a gap, a partial month lighter", () => {
  const cost = costBars({ ...monthly, period: { from: "2026-01-01", to: "2026-02-20" } });
  expect(cost.labels).toEqual(["Jan 2026", "Feb 2026"]);
  expect(cost.partial).toEqual([false, true]);
  expect(cost.datasets.map((dataset) => [dataset.label, dataset.data, dataset.backgroundColor])).toEqual([
    ["Electricity", [30.5, 12], ["#f59e0b", "#f59e0b66"]],
    ["Water", [10, null], ["#0ea5e9", "#0ea5e966"]],
  ]);
});

function gasMeter(id: number, name: string, unit: string): Meter {
  return {
    id,
    household_id: 1,
    name,
    type: "gas",
    unit,
    archived: false,
    created_at: "2026-01-01T00:00:00+00:00",
    updated_at: "2026-01-01T00:00:00+00:00",
  };
}

const gasByType = {
  key: "gas",
  label: "Gas",
  unit: "m3",
  points: [
    { period_start: "2026-03-01", total: 3.5, count: 2, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 },
    { period_start: "2026-03-02", total: 0, count: 0, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 },
  ],
};

test("a type's consumption is stacked by meter, days without records are gaps", () => {
  const byMeter = [
    {
      key: "7",
      label: "House",
      unit: "m3",
      points: [
        { period_start: "2026-03-01", total: 1.5, count: 1, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 },
        { period_start: "2026-03-02", total: 0, count: 0, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 },
      ],
    },
    {
      key: "8",
      label: "Garage",
      unit: "m3",
      points: [
        { period_start: "2026-03-01", total: 2, count: 1, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 },
        { period_start: "2026-03-02", total: 0, count: 0, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 },
      ],
    },
    {
      key: "9",
      label: "Unused",
      unit: "m3",
      points: [
        { period_start: "2026-03-01", total: 0, count: 0, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 },
        { period_start: "2026-03-02", total: 0, count: 0, cost: 0, cost_usage: 0, cost_standing: 0, cost_tax: 0 },
      ],
    },
  ];
  const meters = [gasMeter(7, "House", "m3"), gasMeter(8, "Garage", "m3"), gasMeter(9, "Unused", "m3")];
  const chart = consumptionBars(gasByType, "day", { from: "2026-03-01", to: "2026-03-02" }, byMeter, meters);
  expect(chart.labels).toEqual(["Mar 1", "Mar 2"]);
  expect(chart.partial).toEqual([false, false]);
  expect(chart.datasets.map((dataset) => [dataset.label, dataset.unit, dataset.data])).toEqual([
    ["House", "m3", [1.5, null]],
    ["Garage", "m3", [2, null]],
  ]);
  expect(isEmptyChart(chart)).toBe(false);

  // A meter counting in ft³ cannot be stacked on m³: the converted total is drawn.
  const mixed = consumptionBars(
    gasByType,
    "day",
    { from: "2026-03-01", to: "2026-03-02" },
    [byMeter[0]!, { ...byMeter[1]!, unit: "ft3" }],
    [gasMeter(7, "House", "m3"), gasMeter(8, "Garage", "ft3")],
  );
  expect(mixed.datasets.map((dataset) => [dataset.label, dataset.data])).toEqual([["Gas", [3.5, null]]]);

  const empty = consumptionBars(
    { ...gasByType, points: gasByType.points.map((point) => ({ ...point, total: 0, count: 0 })) },
    "day",
    { from: "2026-03-01", to: "2026-03-02" },
    [],
    meters,
  );
  expect(isEmptyChart(empty)).toBe(true);
});

test("period labels per granularity", () => {
  expect(periodLabel("2026-12-01", "month")).toBe("Dec 2026");
  expect(periodLabel("2026-03-09", "week")).toBe("Mar 9");
  expect(periodLabel("2026-01-01", "year")).toBe("2026");
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
        cost_usage: 10,
        cost_standing: 0,
        cost_tax: 0,
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
        cost_usage: 30,
        cost_standing: 0,
        cost_tax: 0,
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
