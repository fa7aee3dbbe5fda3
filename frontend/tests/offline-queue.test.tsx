import "fake-indexeddb/auto";

import { onlineManager } from "@tanstack/react-query";
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { OfflineSync, PendingEntries } from "@/features/offline";
import { listEntries, resetQueueConnection } from "@/features/offline/api/queue";
import { flushQueue } from "@/features/offline/api/sync";
import type { Reading } from "@/features/readings/api/readings";
import { ReadingsPage } from "@/features/readings/components/readings-page";
import { toOffsetIso } from "@/features/readings/utils/time";
import type { ModedMeter } from "@/lib/meter-modes";

import { API, error, meter, server } from "./support/api";
import { renderInHousehold, renderWithProviders } from "./support/render";

const LAST_AT = new Date(2026, 1, 3, 8, 0);
const HOUSE: ModedMeter = {
  ...meter(1, "House", "electricity", "kWh"),
  mode: "readings",
  rollover_at: null,
  max_per_day: null,
  last_reading: { taken_at: LAST_AT.toISOString(), value: 12345.6 },
};

function reading(id: number, value: number, takenAt: string): Reading {
  return {
    id,
    household_id: 1,
    meter_id: 1,
    taken_at: takenAt,
    value,
    kind: "reading",
    previous_final_value: null,
    note: null,
    flags: { wrapped: false, high_rate: false },
    attachment_ids: [],
    created_by: 1,
    created_at: takenAt,
    updated_at: takenAt,
  };
}

/** What reached the API: each POST's body and Idempotency-Key. */
let received: { key: string | null; body: { value: number; taken_at: string } }[];
/** The API's side of idempotency: the first answer per key. */
let stored: Map<string, Reading>;
let readings: Reading[];
/** How the next POSTs end: "ok", "lost" (written, but the answer never arrives), "down", or a refusal. */
let outcomes: ("ok" | "lost" | "down" | "refuse")[];
let online: boolean;

function setOnline(value: boolean) {
  online = value;
  act(() => {
    window.dispatchEvent(new Event(value ? "online" : "offline"));
  });
}

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  Object.defineProperty(window.navigator, "onLine", { configurable: true, get: () => online });
});
beforeEach(async () => {
  window.localStorage.clear();
  // A fresh database per test: the one of the previous test is deleted.
  await resetQueueConnection();
  await new Promise<void>((done) => {
    const request = indexedDB.deleteDatabase("meterbook-offline");
    request.onsuccess = () => done();
    request.onerror = () => done();
  });
  online = true;
  // TanStack Query's own idea of the connection (it listens only while a client is mounted).
  onlineManager.setOnline(true);
  received = [];
  stored = new Map();
  readings = [];
  outcomes = [];
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [HOUSE] })),
    http.get(`${API}/api/readings`, () =>
      HttpResponse.json({ items: readings, page: 1, per_page: 20, total: readings.length, pages: readings.length ? 1 : 0 }),
    ),
    http.post(`${API}/api/readings`, async ({ request }) => {
      const key = request.headers.get("Idempotency-Key");
      const body = (await request.json()) as { value: number; taken_at: string };
      const outcome = outcomes.shift() ?? "ok";
      if (outcome === "down") return HttpResponse.error();
      received.push({ key, body });
      if (outcome === "refuse")
        return error(422, "validation_error", "Some fields are not valid.", [
          { loc: ["body", "value"], msg: "is below the reading of 12,345.6 on 3 Feb", type: "value_error" },
        ]);
      const replay = key ? stored.get(key) : undefined;
      if (replay) return HttpResponse.json(replay, { status: 201, headers: { "Idempotent-Replayed": "true" } });
      const created = reading(100 + readings.length, body.value, body.taken_at);
      readings = [created, ...readings];
      if (key) stored.set(key, created);
      return outcome === "lost" ? HttpResponse.error() : HttpResponse.json(created, { status: 201 });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await resetQueueConnection();
});

async function openPage() {
  const person = userEvent.setup();
  const view = renderInHousehold(
    <>
      <OfflineSync />
      <ReadingsPage />
    </>,
  );
  const field = await screen.findByLabelText("Reading on House", {}, { timeout: 5000 });
  return { person, field, view };
}

async function saveReading(person: ReturnType<typeof userEvent.setup>, field: HTMLElement, value: string, at: string) {
  fireEvent.change(screen.getByLabelText("Taken at"), { target: { value: at } });
  await person.type(field, value);
  await person.click(screen.getByRole("button", { name: "Save reading" }));
}

test("a reading saved offline is kept with its key, listed as pending, and sent once when the connection returns", async () => {
  const { person, field } = await openPage();
  setOnline(false);
  await saveReading(person, field, "12400,5", "2026-02-10T08:00");

  expect(await screen.findByText("Saved 12,400.5 kWh on this device: it is sent when the connection returns.")).toBeInTheDocument();
  const pending = await screen.findByTestId("pending-entry");
  expect(pending).toHaveTextContent(/^12,400.5 kWh on .*Pending$/);
  expect(received).toEqual([]);
  const [entry] = await listEntries();
  expect(entry).toMatchObject({
    kind: "reading",
    meterId: 1,
    householdId: 1,
    body: { meter_id: 1, value: 12400.5, taken_at: toOffsetIso(new Date(2026, 1, 10, 8, 0)), note: null },
  });
  expect(entry!.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  setOnline(true);
  await waitFor(() => expect(screen.queryByTestId("pending-entry")).not.toBeInTheDocument());
  expect(received).toEqual([{ key: entry!.key, body: entry!.body }]);
  expect(await listEntries()).toEqual([]);
  // The list was refetched: the reading shows as saved.
  expect(await screen.findByText("12,400.5 kWh")).toBeInTheDocument();
});

test("a request that got no answer is queued under the key it was sent with, and the retry is a replay", async () => {
  const { person, field } = await openPage();
  // The API wrote the reading, but the answer was lost on the way.
  outcomes = ["lost"];
  await saveReading(person, field, "12400", "2026-02-10T08:00");
  expect(await screen.findByText("Saved 12,400 kWh on this device: it is sent when the connection returns.")).toBeInTheDocument();
  const [entry] = await listEntries();
  expect(received).toEqual([{ key: entry!.key, body: entry!.body }]);

  const result = await act(() => flushQueue());
  expect(result.sent.map((sent) => sent.id)).toEqual([entry!.id]);
  // Sent again with the same key: the API answered with the first answer and wrote nothing.
  expect(received.map((request) => request.key)).toEqual([entry!.key, entry!.key]);
  expect(readings).toHaveLength(1);
  expect(await listEntries()).toEqual([]);
});

test("entries go in the order they were made; a failing network leaves them, and their order, for the next try", async () => {
  const { person, field } = await openPage();
  setOnline(false);
  await saveReading(person, field, "12400", "2026-02-10T08:00");
  await screen.findByText(/12,400 kWh on this device/);
  await saveReading(person, field, "12500", "2026-02-11T08:00");
  await screen.findByText(/12,500 kWh on this device/);
  await waitFor(() => expect(screen.getAllByTestId("pending-entry")).toHaveLength(2));

  // Back online, but the server cannot be reached at the first attempt.
  outcomes = ["down"];
  setOnline(true);
  await waitFor(() => expect(outcomes).toEqual([]));
  expect(received).toEqual([]);
  expect(screen.getAllByTestId("pending-entry")).toHaveLength(2);

  const second = await act(() => flushQueue());
  expect(second.sent.map((entry) => (entry.body as { value: number }).value)).toEqual([12400, 12500]);
  expect(received.map((request) => request.body.value)).toEqual([12400, 12500]);
  expect(new Set(received.map((request) => request.key)).size).toBe(2);
});

test("the queue outlives the page: a new page lists what an earlier one kept", async () => {
  const first = await openPage();
  setOnline(false);
  await saveReading(first.person, first.field, "12400", "2026-02-10T08:00");
  await screen.findByTestId("pending-entry");
  first.view.unmount();
  await resetQueueConnection();

  // Opened again without a connection: the session cannot be restored, and the shell lists what waits.
  renderWithProviders(<PendingEntries kind={null} title="Saved on this device" />);
  expect(await screen.findByRole("heading", { name: "Saved on this device" })).toBeInTheDocument();
  expect(screen.getByTestId("pending-entry")).toHaveTextContent(/^12,400 kWh on .*Pending$/);
  expect(received).toEqual([]);
});

test("a queued reading the API refuses stays, with the reason, until corrected (a new key) or discarded", async () => {
  const { person, field } = await openPage();
  setOnline(false);
  await saveReading(person, field, "12000", "2026-02-10T08:00");
  await screen.findByTestId("pending-entry");
  const [entry] = await listEntries();

  outcomes = ["refuse"];
  setOnline(true);
  const pending = await screen.findByTestId("pending-entry");
  expect(await within(pending).findByRole("alert")).toHaveTextContent("Refused: value: is below the reading of 12,345.6 on 3 Feb");
  expect(within(pending).getByText("Refused")).toBeInTheDocument();
  expect(received).toHaveLength(1);
  // A refused entry is not sent again by itself.
  await act(() => flushQueue());
  expect(received).toHaveLength(1);

  const corrected = within(pending).getByLabelText("Corrected reading");
  await person.clear(corrected);
  await person.type(corrected, "12400,5");
  await person.click(within(pending).getByRole("button", { name: "Send again" }));
  await waitFor(() => expect(screen.queryByTestId("pending-entry")).not.toBeInTheDocument());
  expect(received).toHaveLength(2);
  expect(received[1]!.body.value).toBe(12400.5);
  // Another body needs another key: the old one would be refused with a different body (409).
  expect(received[1]!.key).not.toBe(entry!.key);
  expect(received[1]!.key).toMatch(/^[0-9a-f-]{36}$/);
});

test("a refused entry can be discarded", async () => {
  const { person, field } = await openPage();
  setOnline(false);
  await saveReading(person, field, "12000", "2026-02-10T08:00");
  await screen.findByTestId("pending-entry");
  outcomes = ["refuse"];
  setOnline(true);
  const pending = await screen.findByTestId("pending-entry");
  await within(pending).findByRole("alert");
  await person.click(within(pending).getByRole("button", { name: "Discard" }));
  await waitFor(() => expect(screen.queryByTestId("pending-entry")).not.toBeInTheDocument());
  expect(await listEntries()).toEqual([]);
  expect(received).toHaveLength(1);
});
