import { useQuery } from "@tanstack/react-query";
import { act, screen, waitFor } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import { summaryQuery } from "@/features/analytics/api/analytics";
import { defaultFilters, recordsQuery } from "@/features/records/api/records";
import { apiClient } from "@/lib/api-client";
import { LIVE_INVALIDATIONS, LiveProvider, useLiveStatus } from "@/lib/live";
import { metersQuery } from "@/lib/meters";

import { API, meter, server } from "./support/api";
import { renderWithProviders } from "./support/render";

/** A WebSocket the test drives: it records what the app sends and delivers what the test pushes. */
class FakeSocket {
  static all: FakeSocket[] = [];
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {}
  push(message: object) {
    act(() => this.onmessage?.({ data: JSON.stringify(message) }));
  }
}

/** How often the API was asked for each list. */
const fetches = { records: 0, analytics: 0, meters: 0 };

function Pages() {
  // What the records page and the dashboard ask for, with their own query options.
  const records = useQuery(recordsQuery(defaultFilters));
  const summary = useQuery(summaryQuery({ date_from: "2026-03-01", date_to: "2026-03-31", group_by: "type" }));
  const meters = useQuery(metersQuery());
  return (
    <p data-testid="loaded">
      {records.data?.total},{summary.data?.groups.length},{meters.data?.length}
    </p>
  );
}

function Status() {
  return <p data-testid="status">{useLiveStatus()}</p>;
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  FakeSocket.all = [];
  Object.assign(fetches, { records: 0, analytics: 0, meters: 0 });
  server.use(
    http.get(`${API}/api/records`, () => {
      fetches.records += 1;
      return HttpResponse.json({ items: [], page: 1, per_page: 20, total: 0, pages: 0 });
    }),
    http.get(`${API}/api/analytics/summary`, () => {
      fetches.analytics += 1;
      return HttpResponse.json({
        period: { from: "2026-03-01", to: "2026-03-31" },
        previous_period: { from: "2026-01-29", to: "2026-02-28" },
        groups: [],
      });
    }),
    http.get(`${API}/api/meters`, () => {
      fetches.meters += 1;
      return HttpResponse.json({ items: [meter(1, "Gas", "gas", "m3")] });
    }),
  );
  globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
  apiClient.setToken("tok-1");
});
afterEach(() => {
  apiClient.setToken(null);
  server.resetHandlers();
});
afterAll(() => server.close());

async function connect() {
  renderWithProviders(
    <LiveProvider>
      <Status />
      <Pages />
    </LiveProvider>,
  );
  await waitFor(() => expect(screen.getByTestId("loaded")).toHaveTextContent("0,0,1"));
  expect(fetches).toEqual({ records: 1, analytics: 1, meters: 1 });
  const socket = FakeSocket.all[0]!;
  act(() => socket.onopen?.());
  socket.push({ type: "ready" });
  expect(screen.getByTestId("status")).toHaveTextContent("live");
  expect(socket.sent).toEqual([{ type: "auth", token: "tok-1" }]);
  return socket;
}

test("a record event refetches the records and the analytics, not the meters", async () => {
  const socket = await connect();
  socket.push({ type: "record.created", id: 7 });
  await waitFor(() => expect(fetches).toEqual({ records: 2, analytics: 2, meters: 1 }));
});

test("a meter change and an import refetch the meters too; unknown events nothing", async () => {
  const socket = await connect();
  socket.push({ type: "something.else" });
  socket.push({ type: "meter.changed", id: 1 });
  await waitFor(() => expect(fetches).toEqual({ records: 2, analytics: 2, meters: 2 }));
  socket.push({ type: "records.imported", imported: 3 });
  await waitFor(() => expect(fetches).toEqual({ records: 3, analytics: 3, meters: 3 }));
});

test("after a reconnect everything is fetched again (events may have been missed)", async () => {
  const socket = await connect();
  act(() => socket.onclose?.({ code: 1006 }));
  expect(screen.getByTestId("status")).toHaveTextContent("offline");
  // The first retry comes after 0.5–1 s.
  await waitFor(() => expect(FakeSocket.all).toHaveLength(2), { timeout: 3000 });
  const again = FakeSocket.all[1]!;
  act(() => again.onopen?.());
  again.push({ type: "ready" });
  expect(screen.getByTestId("status")).toHaveTextContent("live");
  await waitFor(() => expect(fetches).toEqual({ records: 2, analytics: 2, meters: 2 }));
});

test("every event type invalidates what shows it", () => {
  expect(LIVE_INVALIDATIONS).toEqual({
    "record.created": [["records"], ["analytics"], ["budgets"]],
    "record.updated": [["records"], ["analytics"], ["budgets"]],
    "record.deleted": [["records"], ["analytics"], ["budgets"]],
    "records.imported": [["records"], ["analytics"], ["meters"], ["budgets"]],
    "reading.created": [["readings"], ["meters"], ["analytics"], ["budgets"]],
    "reading.updated": [["readings"], ["meters"], ["analytics"], ["budgets"]],
    "reading.deleted": [["readings"], ["meters"], ["analytics"], ["budgets"]],
    "readings.imported": [["readings"], ["meters"], ["analytics"], ["budgets"]],
    "meter.changed": [["meters"], ["records"], ["analytics"]],
    "household.changed": [["households"], ["analytics"]],
    "member.changed": [["households"]],
    "tariff.changed": [["tariffs"], ["analytics"], ["bills"], ["budgets"]],
    "bill.created": [["bills"]],
    "bill.updated": [["bills"]],
    "bill.deleted": [["bills"]],
    "budget.created": [["budgets"]],
    "budget.updated": [["budgets"]],
    "budget.deleted": [["budgets"]],
    "notification.created": [["notifications"]],
    resync: [["households"], ["meters"], ["records"], ["readings"], ["analytics"], ["tariffs"], ["bills"], ["budgets"], ["notifications"]],
  });
});
