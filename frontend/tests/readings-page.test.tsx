import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import type { Reading } from "@/features/readings/api/readings";
import { READINGS_METER_KEY, ReadingsPage } from "@/features/readings/components/readings-page";
import { toOffsetIso } from "@/features/readings/utils/time";
import type { ModedMeter } from "@/lib/meter-modes";

import { API, error, household, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

/** 3 February 2026, 08:00 on the device: the last reading (no daylight-saving change in the week after, anywhere). */
const LAST_AT = new Date(2026, 1, 3, 8, 0);

function readingsMeter(id: number, name: string, extra: Partial<ModedMeter> = {}): ModedMeter {
  return {
    ...meter(id, name, "electricity", "kWh"),
    mode: "readings",
    rollover_at: null,
    max_per_day: null,
    last_reading: { taken_at: LAST_AT.toISOString(), value: 12345.6 },
    ...extra,
  };
}

function reading(id: number, value: number, takenAt: Date, extra: Partial<Reading> = {}): Reading {
  return {
    id,
    household_id: 1,
    meter_id: 1,
    taken_at: takenAt.toISOString(),
    value,
    kind: "reading",
    previous_final_value: null,
    note: null,
    flags: { wrapped: false, high_rate: false },
    attachment_ids: [],
    created_by: 1,
    created_at: takenAt.toISOString(),
    updated_at: takenAt.toISOString(),
    ...extra,
  };
}

const HOUSE = readingsMeter(1, "House");
let meters: ModedMeter[];
let readings: Reading[];
let posted: unknown[];
let patched: { id: string; body: unknown }[];
let deleted: string[];
let readingQueries: string[];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  window.localStorage.clear();
  meters = [HOUSE, { ...meter(2, "Gas", "gas", "m3"), mode: "consumption" }];
  readings = [reading(10, 12345.6, LAST_AT), reading(9, 12001, new Date(2026, 0, 27, 8, 0))];
  posted = [];
  patched = [];
  deleted = [];
  readingQueries = [];
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: meters })),
    http.get(`${API}/api/readings`, ({ request }) => {
      readingQueries.push(new URL(request.url).search);
      const id = Number(new URL(request.url).searchParams.get("meter_id"));
      const items = readings.filter((item) => item.meter_id === id);
      return HttpResponse.json({ items, page: 1, per_page: 20, total: items.length, pages: items.length ? 1 : 0 });
    }),
    http.post(`${API}/api/readings`, async ({ request }) => {
      posted.push(await request.json());
      return HttpResponse.json(reading(11, 1, new Date()), { status: 201 });
    }),
    http.patch(`${API}/api/readings/:id`, async ({ request, params }) => {
      patched.push({ id: String(params.id), body: await request.json() });
      return HttpResponse.json(readings[0]);
    }),
    http.delete(`${API}/api/readings/:id`, ({ params }) => {
      deleted.push(String(params.id));
      return new HttpResponse(null, { status: 204 });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function openPage() {
  const person = userEvent.setup();
  renderInHousehold(<ReadingsPage />);
  // The session, the households and the meters load first (slow on a busy machine).
  const field = await screen.findByLabelText("Reading on House", {}, { timeout: 5000 });
  // The week after the last reading, at the same time of day.
  fireEvent.change(screen.getByLabelText("Taken at"), { target: { value: "2026-02-10T08:00" } });
  return { person, field };
}

test("as the value is typed it shows the consumption since the last reading, the days since and the rate", async () => {
  const { person, field } = await openPage();
  expect(field).toHaveAttribute("inputmode", "decimal");
  expect(screen.getByText(/^Last reading 12,345.6 kWh on /)).toBeInTheDocument();
  expect(screen.queryByTestId("implied")).not.toBeInTheDocument();

  // A decimal comma, as everywhere else.
  await person.type(field, "12400,1");
  expect(screen.getByTestId("implied")).toHaveTextContent("54.5 kWh in 7 days since the last reading (7.786 kWh a day)");
  await person.clear(field);
  await person.type(field, "12345.6");
  expect(screen.getByTestId("implied")).toHaveTextContent("0 kWh in 7 days since the last reading (0 kWh a day)");

  fireEvent.change(screen.getByLabelText("Taken at"), { target: { value: "2026-02-03T14:00" } });
  expect(screen.getByTestId("implied")).toHaveTextContent("0 kWh in 6 hours since the last reading");
});

test("saving sends the value and the time with the device's offset, then clears the field", async () => {
  const { person, field } = await openPage();
  await person.type(field, "12400,125");
  await person.click(screen.getByRole("button", { name: "Save reading" }));
  await waitFor(() => expect(posted).toHaveLength(1));
  expect(posted[0]).toEqual({ meter_id: 1, taken_at: toOffsetIso(new Date(2026, 1, 10, 8, 0)), value: 12400.125, note: null });
  expect(await screen.findByText("Saved 12,400.125 kWh.")).toBeInTheDocument();
  expect(field).toHaveValue("");
});

test("a time left untouched is the moment of the tap, not the page's opening", async () => {
  const opened = new Date(2026, 1, 10, 7, 58, 0);
  jest.useFakeTimers({
    now: opened,
    doNotFake: [
      "nextTick",
      "queueMicrotask",
      "setImmediate",
      "clearImmediate",
      "setInterval",
      "clearInterval",
      "setTimeout",
      "clearTimeout",
    ],
  });
  try {
    const person = userEvent.setup();
    renderInHousehold(<ReadingsPage />);
    const field = await screen.findByLabelText("Reading on House", {}, { timeout: 5000 });
    expect(screen.getByLabelText("Taken at")).toHaveValue("2026-02-10T07:58");
    await person.type(field, "12400");
    // Three minutes and five seconds later, down in the cellar.
    jest.setSystemTime(new Date(2026, 1, 10, 8, 1, 5));
    await person.click(screen.getByRole("button", { name: "Save reading" }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toEqual({ meter_id: 1, taken_at: toOffsetIso(new Date(2026, 1, 10, 8, 1, 5)), value: 12400, note: null });
  } finally {
    jest.useRealTimers();
  }
});

test("a lower value warns and offers the replacement dialog, which posts a replacement", async () => {
  const { person, field } = await openPage();
  await person.type(field, "12000");
  expect(screen.getByTestId("decrease-warning")).toHaveTextContent(
    "345.6 kWh lower than the last reading — replaced the meter? Record a meter replacement",
  );
  await person.click(screen.getByRole("button", { name: "Record a meter replacement" }));
  const dialog = screen.getByRole("dialog", { name: "Replace House" });
  // What was typed is the new meter's value, at the time given.
  expect(within(dialog).getByLabelText("New meter's start value")).toHaveValue("12000");
  expect(within(dialog).getByLabelText("Replaced at")).toHaveValue("2026-02-10T08:00");

  // The old meter cannot have ended below its last reading.
  await person.type(within(dialog).getByLabelText("Old meter's final value"), "12300");
  await person.click(within(dialog).getByRole("button", { name: "Record replacement" }));
  expect(within(dialog).getByText("The old meter's final value must not be below its last reading (12,345.6 kWh)")).toBeInTheDocument();
  expect(posted).toEqual([]);

  await person.clear(within(dialog).getByLabelText("Old meter's final value"));
  await person.type(within(dialog).getByLabelText("Old meter's final value"), "12350,2");
  await person.clear(within(dialog).getByLabelText("New meter's start value"));
  await person.type(within(dialog).getByLabelText("New meter's start value"), "0");
  await person.click(within(dialog).getByRole("button", { name: "Record replacement" }));
  await waitFor(() => expect(posted).toHaveLength(1));
  expect(posted[0]).toEqual({
    meter_id: 1,
    taken_at: toOffsetIso(new Date(2026, 1, 10, 8, 0)),
    value: 0,
    kind: "replacement",
    previous_final_value: 12350.2,
  });
  await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  expect(screen.getByText("Meter replacement recorded.")).toBeInTheDocument();
});

test("the header's Replace meter opens the dialog empty", async () => {
  const person = userEvent.setup();
  renderInHousehold(<ReadingsPage />);
  await person.click(await screen.findByRole("button", { name: "Replace meter" }));
  const dialog = screen.getByRole("dialog", { name: "Replace House" });
  expect(within(dialog).getByLabelText("Old meter's final value")).toHaveValue("");
  expect(within(dialog).getByLabelText("New meter's start value")).toHaveValue("0");
});

test("on a meter with a rollover a lower value is a wrap, not a decrease; above the limit per day is a warning", async () => {
  meters = [
    readingsMeter(1, "House", {
      rollover_at: 99999.9,
      max_per_day: 2.5,
      last_reading: { taken_at: LAST_AT.toISOString(), value: 99990.5 },
    }),
  ];
  const { person, field } = await openPage();
  await person.type(field, "10.2");
  expect(screen.queryByTestId("decrease-warning")).not.toBeInTheDocument();
  expect(screen.getByTestId("implied")).toHaveTextContent(
    "Wraps at 99,999.9: 19.6 kWh in 7 days since the last reading (2.8 kWh a day)" +
      "More than this meter's limit of 2.5 kWh a day: check the value (it will be flagged).",
  );
});

test("the API's refusal shows once under its field (no banner, no toast); two readings at one instant under the time", async () => {
  // The order rule names the neighbour; its message starts with the verb, the form puts the field first.
  const said = "is below the reading of 2026-02-03T08:00:00+00:00 (12345.600); if the meter was replaced, record a replacement";
  const message = `The reading ${said}`;
  server.use(
    http.post(`${API}/api/readings`, () =>
      error(422, "validation_error", "The request is not valid.", [{ loc: ["body", "value"], msg: said, type: "reading_order" }]),
    ),
  );
  const { person, field } = await openPage();
  await person.type(field, "12000");
  await person.click(screen.getByRole("button", { name: "Save reading" }));
  expect(await screen.findByText(message)).toBeInTheDocument();
  expect(screen.getAllByText(message)).toHaveLength(1);
  expect(field).toHaveAttribute("aria-invalid", "true");
  expect(screen.queryByText("The request is not valid.")).not.toBeInTheDocument();
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();

  server.use(http.post(`${API}/api/readings`, () => error(409, "conflict", "This meter already has a reading at that time.")));
  await person.click(screen.getByRole("button", { name: "Save reading" }));
  expect(await screen.findByText("This meter already has a reading at that time.")).toBeInTheDocument();
  expect(screen.getAllByText("This meter already has a reading at that time.")).toHaveLength(1);
  expect(screen.getByLabelText("Taken at")).toHaveAttribute("aria-invalid", "true");
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
});

test("values the API would refuse are refused before sending", async () => {
  const { person, field } = await openPage();
  await person.type(field, "1.2345");
  await person.click(screen.getByRole("button", { name: "Save reading" }));
  expect(await screen.findByText("Reading must have at most 3 decimal places")).toBeInTheDocument();
  await person.clear(field);
  await person.type(field, "1000000000000");
  await person.click(screen.getByRole("button", { name: "Save reading" }));
  expect(await screen.findByText("Reading must be less than 1,000,000,000,000")).toBeInTheDocument();
  await person.clear(field);
  await person.type(field, "-3");
  await person.click(screen.getByRole("button", { name: "Save reading" }));
  expect(await screen.findByText("Reading must be a number of 0 or more, such as 12345.6")).toBeInTheDocument();
  expect(posted).toEqual([]);
});

test("the list shows the readings newest first with their flags; edit sends what changed, delete asks first", async () => {
  readings = [
    reading(12, 40.5, new Date(2026, 1, 20, 8, 0), { flags: { wrapped: true, high_rate: true } }),
    reading(11, 5, new Date(2026, 1, 12, 8, 0), { kind: "replacement", previous_final_value: 12350.2 }),
    ...readings,
  ];
  const person = userEvent.setup();
  renderInHousehold(<ReadingsPage />);
  const list = await screen.findByRole("list", { name: "Readings of House" });
  expect(
    within(list)
      .getAllByRole("listitem")
      .map((item) => item.querySelector("p")?.textContent),
  ).toEqual(["40.5 kWh  WrappedHigh rate", "5 kWh Meter replaced ", "12,345.6 kWh  ", "12,001 kWh  "]);
  expect(within(screen.getByTestId("reading-11")).getByText(/old meter ended at 12,350.2 kWh/)).toBeInTheDocument();
  expect(readingQueries[0]).toBe("?meter_id=1&sort=-taken_at&page=1&per_page=20&household_id=1");

  await person.click(within(screen.getByTestId("reading-12")).getByRole("button", { name: /^Edit the reading of / }));
  const dialog = screen.getByRole("dialog", { name: "Edit reading" });
  expect(within(dialog).getByLabelText("Reading")).toHaveValue("40.5");
  await person.clear(within(dialog).getByLabelText("Reading"));
  await person.type(within(dialog).getByLabelText("Reading"), "41,25");
  await person.click(within(dialog).getByRole("button", { name: "Save changes" }));
  await waitFor(() => expect(patched).toEqual([{ id: "12", body: { value: 41.25 } }]));

  await person.click(within(screen.getByTestId("reading-9")).getByRole("button", { name: /^Delete the reading of / }));
  const confirm = screen.getByRole("dialog", { name: "Delete this reading?" });
  await person.click(within(confirm).getByRole("button", { name: "Delete" }));
  await waitFor(() => expect(deleted).toEqual(["9"]));
  expect(await screen.findByText("Reading deleted.")).toBeInTheDocument();
});

test("a viewer sees the readings and the last one, and no control that writes", async () => {
  server.use(http.get(`${API}/api/households`, () => HttpResponse.json({ items: [household(1, "Home", "viewer")] })));
  renderInHousehold(<ReadingsPage />);
  expect(await screen.findByRole("list", { name: "Readings of House" })).toBeInTheDocument();
  expect(screen.getByTestId("last-reading")).toHaveTextContent(/^Last reading 12,345.6 kWh on /);
  expect(screen.queryByLabelText("Reading on House")).not.toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Save reading" })).not.toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Replace meter" })).not.toBeInTheDocument();
  expect(screen.queryByRole("button", { name: /^Edit/ })).not.toBeInTheDocument();
  expect(screen.queryByRole("button", { name: /^Delete/ })).not.toBeInTheDocument();
});

test("only readings meters are offered, and the meter last picked is picked again", async () => {
  meters = [...meters, readingsMeter(3, "Garden", { last_reading: null })];
  window.localStorage.setItem(READINGS_METER_KEY, "3");
  const person = userEvent.setup();
  const view = renderInHousehold(<ReadingsPage />);
  expect(await screen.findByLabelText("Reading on Garden")).toBeInTheDocument();
  expect(screen.getByText("The first reading of this meter")).toBeInTheDocument();
  expect(
    within(screen.getByLabelText("Meter"))
      .getAllByRole("option")
      .map((option) => option.textContent),
  ).toEqual(["House (kWh)", "Garden (kWh)"]);
  await person.selectOptions(screen.getByLabelText("Meter"), "1");
  expect(await screen.findByLabelText("Reading on House")).toBeInTheDocument();
  expect(window.localStorage.getItem(READINGS_METER_KEY)).toBe("1");
  view.unmount();

  renderInHousehold(<ReadingsPage />);
  expect(await screen.findByLabelText("Reading on House")).toBeInTheDocument();
});

test("without a readings meter the page says how to get one", async () => {
  meters = [{ ...meter(2, "Gas", "gas", "m3"), mode: "consumption" }];
  renderInHousehold(<ReadingsPage />);
  expect(await screen.findByText("No meter takes readings yet")).toBeInTheDocument();
  expect(screen.getByRole("link", { name: "meters page" })).toHaveAttribute("href", "/meters");
  expect(readingQueries).toEqual([]);
});

test("the API's refusal of a replacement shows once under the old meter's final value", async () => {
  const said = "is below the reading of 2026-02-05T08:00:00+00:00 (12400.000): the old register's last value cannot be lower";
  server.use(
    http.post(`${API}/api/readings`, () =>
      error(422, "validation_error", "The request is not valid.", [
        { loc: ["body", "previous_final_value"], msg: said, type: "reading_order" },
      ]),
    ),
  );
  const person = userEvent.setup();
  renderInHousehold(<ReadingsPage />);
  await person.click(await screen.findByRole("button", { name: "Replace meter" }, { timeout: 5000 }));
  const dialog = screen.getByRole("dialog", { name: "Replace House" });
  await person.type(within(dialog).getByLabelText("Old meter's final value"), "12350");
  await person.click(within(dialog).getByRole("button", { name: "Record replacement" }));
  const message = `The old meter's final value ${said}`;
  expect(await within(dialog).findByText(message)).toBeInTheDocument();
  expect(screen.getAllByText(message)).toHaveLength(1);
  expect(within(dialog).getByLabelText("Old meter's final value")).toHaveAttribute("aria-invalid", "true");
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
});
