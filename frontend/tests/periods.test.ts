import {
  chartGranularity,
  isCurrent,
  isPartial,
  parsePeriod,
  periodParams,
  periodRange,
  periodTitle,
  shiftPeriod,
  type Period,
} from "@/features/analytics/utils/periods";

const TODAY = "2026-11-27";
const parse = (query: string) => parsePeriod(new URLSearchParams(query), TODAY);

test("the bare URL is this month to date, compared with the previous period", () => {
  const period = parse("");
  expect(period).toEqual({ kind: "month", start: "2026-11-01", compare: "previous" });
  expect(periodRange(period, TODAY)).toEqual({ from: "2026-11-01", to: "2026-11-27" });
  expect(periodParams(period, TODAY).toString()).toBe("");
});

test("a period in the URL is read back as it was written", () => {
  const cases: [string, Period, { from: string; to: string }][] = [
    ["period=day&date=2026-03-31", { kind: "day", start: "2026-03-31", compare: "previous" }, { from: "2026-03-31", to: "2026-03-31" }],
    // Any day of a week means the week from its Monday.
    ["period=week&date=2026-03-11", { kind: "week", start: "2026-03-09", compare: "previous" }, { from: "2026-03-09", to: "2026-03-15" }],
    ["date=2024-02-10", { kind: "month", start: "2024-02-01", compare: "previous" }, { from: "2024-02-01", to: "2024-02-29" }],
    [
      "period=year&date=2025-06-01&compare=year",
      { kind: "year", start: "2025-01-01", compare: "year" },
      { from: "2025-01-01", to: "2025-12-31" },
    ],
    ["period=year", { kind: "year", start: "2026-01-01", compare: "previous" }, { from: "2026-01-01", to: "2026-11-27" }],
    [
      "period=custom&from=2024-01-01&to=2026-06-30",
      { kind: "custom", start: "2024-01-01", end: "2026-06-30", compare: "previous" },
      { from: "2024-01-01", to: "2026-06-30" },
    ],
  ];
  for (const [query, period, range] of cases) {
    expect(parse(query)).toEqual(period);
    expect(periodRange(period, TODAY)).toEqual(range);
    expect(parse(periodParams(period, TODAY).toString())).toEqual(period);
  }
  expect(periodParams(parse("period=week&date=2026-03-11"), TODAY).toString()).toBe("period=week&date=2026-03-09");
});

test("unreadable or future dates fall back to today", () => {
  expect(parse("period=month&date=2026-02-30")).toEqual({ kind: "month", start: "2026-11-01", compare: "previous" });
  expect(parse("period=decade&date=2027-01-01")).toEqual({ kind: "month", start: "2026-11-01", compare: "previous" });
  expect(parse("period=day&date=1899-12-31")).toEqual({ kind: "day", start: "2026-11-27", compare: "previous" });
});

test("previous and next step by calendar periods, over month and year ends", () => {
  const month: Period = { kind: "month", start: "2026-03-01", compare: "previous" };
  expect(shiftPeriod(month, -1).start).toBe("2026-02-01");
  expect(shiftPeriod({ ...month, start: "2026-01-01" }, -1).start).toBe("2025-12-01");
  expect(shiftPeriod({ ...month, start: "2025-12-01" }, 1).start).toBe("2026-01-01");
  expect(shiftPeriod({ kind: "week", start: "2025-12-29", compare: "previous" }, 1).start).toBe("2026-01-05");
  expect(shiftPeriod({ kind: "day", start: "2024-03-01", compare: "previous" }, -1).start).toBe("2024-02-29");
  expect(shiftPeriod({ kind: "year", start: "2026-01-01", compare: "previous" }, -1).start).toBe("2025-01-01");
  expect(isCurrent({ kind: "month", start: "2026-11-01", compare: "previous" }, TODAY)).toBe(true);
  expect(isCurrent({ kind: "month", start: "2026-10-01", compare: "previous" }, TODAY)).toBe(false);
  expect(isCurrent({ kind: "week", start: "2026-11-23", compare: "previous" }, TODAY)).toBe(true);
});

test("charts draw days in a day, week or month, months in a year, coarser buckets for long custom ranges", () => {
  const custom = (from: string, to: string): Period => ({ kind: "custom", start: from, end: to, compare: "previous" });
  expect(chartGranularity({ kind: "month", start: "2026-11-01", compare: "previous" }, { from: "2026-11-01", to: "2026-11-27" })).toBe(
    "day",
  );
  expect(chartGranularity({ kind: "year", start: "2026-01-01", compare: "previous" }, { from: "2026-01-01", to: "2026-11-27" })).toBe(
    "month",
  );
  expect(chartGranularity(custom("2026-01-01", "2026-04-02"), { from: "2026-01-01", to: "2026-04-02" })).toBe("day");
  expect(chartGranularity(custom("2026-01-01", "2026-04-03"), { from: "2026-01-01", to: "2026-04-03" })).toBe("week");
  expect(chartGranularity(custom("1960-01-01", TODAY), { from: "1960-01-01", to: TODAY })).toBe("month");
  // The current month of a year to date is partial; a week cut by the range start too.
  expect(isPartial("2026-11-01", "month", { from: "2026-01-01", to: "2026-11-27" })).toBe(true);
  expect(isPartial("2026-10-01", "month", { from: "2026-01-01", to: "2026-11-27" })).toBe(false);
  expect(isPartial("2026-03-09", "week", { from: "2026-03-11", to: "2026-04-30" })).toBe(true);
});

test("period titles in the reader's locale", () => {
  expect(periodTitle({ kind: "month", start: "2026-10-01", compare: "previous" }, TODAY, "en-US")).toBe("October 2026");
  expect(periodTitle({ kind: "year", start: "2025-01-01", compare: "previous" }, TODAY, "en-US")).toBe("2025");
  expect(periodTitle({ kind: "day", start: "2026-11-27", compare: "previous" }, TODAY, "en-US")).toBe("Fri, Nov 27, 2026");
  expect(periodTitle({ kind: "week", start: "2026-11-23", compare: "previous" }, TODAY, "en-GB")).toBe("23\u2009–\u200929 Nov 2026");
  expect(periodTitle({ kind: "month", start: "2026-10-01", compare: "previous" }, TODAY, "de-DE")).toBe("Oktober 2026");
});
