import { useQuery } from "@tanstack/react-query";
import { act, screen, waitFor } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import { apiClient } from "@/lib/api-client";
import { HOUSEHOLD_STORAGE_KEY, useHousehold } from "@/lib/household";
import { LiveProvider, useLiveStatus } from "@/lib/live";
import { metersQuery } from "@/lib/meters";

import { API, HOME, household, meter, server, USER } from "./support/api";
import { renderInHousehold } from "./support/render";

/** A WebSocket the test drives. */
class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send() {}
  close() {}
  push(message: object) {
    act(() => this.onmessage?.({ data: JSON.stringify(message) }));
  }
}

function Page() {
  const { current } = useHousehold();
  const meters = useQuery(metersQuery());
  return (
    <>
      <p data-testid="status">{useLiveStatus()}</p>
      <p data-testid="current">
        {current?.name} ({current?.role}): {meters.data?.map((item) => item.name).join(", ")}
      </p>
    </>
  );
}

const CABIN = household(2, "Cabin", "editor");
let households = [HOME, CABIN];
let listed = 0;
let meterQueries: (string | null)[] = [];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  FakeSocket.all = [];
  households = [HOME, CABIN];
  listed = 0;
  meterQueries = [];
  window.localStorage.setItem(HOUSEHOLD_STORAGE_KEY, "2");
  globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
  server.use(
    http.get(`${API}/api/households`, () => {
      listed += 1;
      return HttpResponse.json({ items: households });
    }),
    http.get(`${API}/api/meters`, ({ request }) => {
      const id = new URL(request.url).searchParams.get("household_id");
      meterQueries.push(id);
      return HttpResponse.json({ items: [meter(Number(id) * 10, `Meter of ${id}`, "gas", "m3")] });
    }),
  );
});
afterEach(() => {
  apiClient.setToken(null);
  server.resetHandlers();
});
afterAll(() => server.close());

async function connect() {
  renderInHousehold(
    <LiveProvider>
      <Page />
    </LiveProvider>,
  );
  await waitFor(() => expect(screen.getByTestId("current")).toHaveTextContent("Cabin (editor): Meter of 2"));
  const socket = FakeSocket.all[0]!;
  act(() => socket.onopen?.());
  socket.push({ type: "ready" });
  expect(screen.getByTestId("status")).toHaveTextContent("live");
  return socket;
}

test("a role changed by the owner shows at once (member.changed refetches the households)", async () => {
  const socket = await connect();
  households = [HOME, { ...CABIN, role: "viewer" }];
  socket.push({ type: "member.changed", household_id: 2, user_id: USER.id, role: "viewer" });
  await waitFor(() => expect(screen.getByTestId("current")).toHaveTextContent("Cabin (viewer): Meter of 2"));
  expect(listed).toBe(2);
});

test("removed from the household on screen, the user lands on another one and sees its meters", async () => {
  const socket = await connect();
  households = [HOME];
  socket.push({ type: "member.changed", household_id: 2, user_id: USER.id, role: null });
  await waitFor(() => expect(screen.getByTestId("current")).toHaveTextContent("Home (owner): Meter of 1"));
  expect(meterQueries).toEqual(["2", "1"]);
});

test("a renamed household shows its new name (household.changed)", async () => {
  const socket = await connect();
  households = [HOME, { ...CABIN, name: "Lake cabin" }];
  socket.push({ type: "household.changed", household_id: 2 });
  await waitFor(() => expect(screen.getByTestId("current")).toHaveTextContent("Lake cabin (editor): Meter of 2"));
});
