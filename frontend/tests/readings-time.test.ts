import { formatElapsed, impliedConsumption } from "@/features/readings/utils/consumption";
import { fromLocalInput, toLocalInput, toOffsetIso } from "@/features/readings/utils/time";

/** The device's offset from UTC in minutes, as Date reports it (positive west of Greenwich). */
function deviceOffset(minutes: number) {
  return jest.spyOn(Date.prototype, "getTimezoneOffset").mockReturnValue(minutes);
}
afterEach(() => jest.restoreAllMocks());

test("a time goes to the API with the device's offset at that instant (whole and half hours, either sign)", () => {
  const at = fromLocalInput("2026-03-29T08:05")!;
  const offset = deviceOffset(-120);
  expect(toOffsetIso(at)).toBe("2026-03-29T08:05:00+02:00");
  // Asked of the instant itself: the offset in force then (summer or winter time), not today's.
  expect(offset.mock.contexts[0]).toBe(at);
  deviceOffset(240);
  expect(toOffsetIso(at)).toBe("2026-03-29T08:05:00-04:00");
  deviceOffset(-330);
  expect(toOffsetIso(at)).toBe("2026-03-29T08:05:00+05:30");
  deviceOffset(210);
  expect(toOffsetIso(at)).toBe("2026-03-29T08:05:00-03:30");
  deviceOffset(0);
  expect(toOffsetIso(at)).toBe("2026-03-29T08:05:00+00:00");
});

test("the input's value round-trips, and incomplete or impossible dates are not read", () => {
  expect(toLocalInput(fromLocalInput("2026-03-29T08:15")!)).toBe("2026-03-29T08:15");
  expect(toLocalInput(new Date(2026, 0, 5, 7, 3))).toBe("2026-01-05T07:03");
  expect(fromLocalInput("2026-02-31T08:00")).toBeNull();
  expect(fromLocalInput("2026-02-10")).toBeNull();
  expect(fromLocalInput("")).toBeNull();
});

test("the implied consumption counts in thousandths: increases, wraps, decreases and earlier times", () => {
  const last = { taken_at: "2026-02-03T08:00:00Z", value: 0.1 };
  const week = new Date("2026-02-10T08:00:00Z");
  expect(impliedConsumption(last, 0.3, week, {})).toEqual({ kind: "increase", amount: 0.2, days: 7, perDay: 0.2 / 7, highRate: false });
  expect(impliedConsumption({ ...last, value: 99990.5 }, 10.2, week, { rollover_at: 99999.9, max_per_day: 2.8 })).toEqual({
    kind: "wrap",
    amount: 19.6,
    days: 7,
    perDay: 19.6 / 7,
    rolloverAt: 99999.9,
    // 2.8 a day is the limit itself, not above it.
    highRate: false,
  });
  expect(impliedConsumption(last, 7.1, week, { max_per_day: 1 })).toMatchObject({ kind: "increase", amount: 7, highRate: false });
  expect(impliedConsumption(last, 7.2, week, { max_per_day: 1 })).toMatchObject({ kind: "increase", amount: 7.1, highRate: true });
  expect(impliedConsumption({ ...last, value: 12345.6 }, 12000, week, {})).toEqual({ kind: "decrease", amount: -345.6, days: 7 });
  expect(impliedConsumption(last, 5, new Date("2026-02-03T08:00:00Z"), {})).toEqual({ kind: "earlier" });
  expect(formatElapsed(0.25)).toBe("6 hours");
  expect(formatElapsed(1)).toBe("1 day");
  expect(formatElapsed(2.54)).toBe("2.5 days");
});
