import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useQuery } from "@tanstack/react-query";
import { http, HttpResponse } from "msw";

import { summaryQuery } from "@/features/analytics/api/analytics";
import { MetersPage } from "@/features/meters/components/meters-page";
import { readingsQuery } from "@/features/readings/api/readings";
import { defaultFilters, recordsQuery } from "@/features/records/api/records";
import { apiClient } from "@/lib/api-client";
import { LiveProvider } from "@/lib/live";
import type { ModedMeter } from "@/lib/meter-modes";
import { metersQuery } from "@/lib/meters";

import { API, error, meter, server } from "./support/api";
import { renderInHousehold, renderWithProviders } from "./support/render";

const HOUSE: ModedMeter = {
  ...meter(1, "House", "electricity", "kWh"),
  mode: "readings",
  rollover_at: 99999.9,
  max_per_day: null,
  last_reading: { taken_at: "2026-03-02T08:00:00+00:00", value: 12345.6 },
};
const GAS: ModedMeter = { ...meter(2, "Gas", "gas", "m3"), mode: "consumption", rollover_at: null, max_per_day: null, last_reading: null };

let meters: ModedMeter[];
let bodies: unknown[];
let recordQueries: number;

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  meters = [HOUSE, GAS];
  bodies = [];
  recordQueries = 0;
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: meters })),
    http.get(`${API}/api/records`, () => {
      recordQueries += 1;
      return HttpResponse.json({ items: [], page: 1, per_page: 1, total: 0, pages: 0 });
    }),
    http.post(`${API}/api/meters`, async ({ request }) => {
      const body = await request.json();
      bodies.push(body);
      return HttpResponse.json({ ...meter(3, "Cellar", "water", "m3"), mode: "readings" }, { status: 201 });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("meters page", () => {
  test("a readings meter shows its last reading and links to /readings; its records are not asked for", async () => {
    renderInHousehold(<MetersPage />);
    expect(await screen.findByTestId("meter-stats-1")).toHaveTextContent(
      `Last reading 12,345.6 kWh on ${new Date("2026-03-02T08:00:00+00:00").toLocaleDateString()}`,
    );
    expect(screen.getByText("Electricity · kWh · read off the register")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Readings of House" })).toHaveAttribute("href", "/readings?meter_id=1");
    expect(screen.getByRole("link", { name: "Records of Gas" })).toHaveAttribute("href", "/records?meter_id=2");
    await waitFor(() => expect(screen.getByTestId("meter-stats-2")).toHaveTextContent("No records yet"));
    // Only the consumption meter's latest record.
    expect(recordQueries).toBe(1);
  });

  test("a new readings meter is sent with its mode, rollover and limit per day (a decimal comma read as a point)", async () => {
    const person = userEvent.setup();
    renderInHousehold(<MetersPage />);
    await person.click(await screen.findByRole("button", { name: "Add meter" }));
    const dialog = screen.getByRole("dialog", { name: "Add meter" });
    await person.type(within(dialog).getByLabelText("Name"), "Cellar");
    await person.selectOptions(within(dialog).getByLabelText("Type"), "water");
    expect(within(dialog).queryByLabelText("Rolls over after (optional)")).not.toBeInTheDocument();
    await person.click(within(dialog).getByLabelText("Readings (the meter's register)"));
    await person.type(within(dialog).getByLabelText("Rolls over after (optional)"), "99999,999");
    await person.type(within(dialog).getByLabelText("Limit per day (optional)"), "0,1234");
    await person.click(within(dialog).getByRole("button", { name: "Add meter" }));
    expect(await within(dialog).findByText("Limit per day must have at most 3 decimal places")).toBeInTheDocument();
    expect(bodies).toEqual([]);

    await person.clear(within(dialog).getByLabelText("Limit per day (optional)"));
    await person.type(within(dialog).getByLabelText("Limit per day (optional)"), "2.5");
    await person.click(within(dialog).getByRole("button", { name: "Add meter" }));
    await waitFor(() =>
      expect(bodies).toEqual([
        { name: "Cellar", type: "water", unit: "m3", mode: "readings", rollover_at: 99999.999, max_per_day: 2.5, household_id: 1 },
      ]),
    );
  });

  test("a mode change refused because the meter has data shows once under the mode; the settings send only what changed", async () => {
    const patches: unknown[] = [];
    server.use(
      http.patch(`${API}/api/meters/:id`, async ({ request }) => {
        const body = (await request.json()) as { mode?: string };
        patches.push(body);
        if (body.mode) return error(409, "conflict", "The mode changes only while the meter has no records and no readings.");
        return HttpResponse.json({ ...HOUSE, ...body });
      }),
    );
    const person = userEvent.setup();
    renderInHousehold(<MetersPage />);
    await person.click(await screen.findByRole("button", { name: "Edit House" }));
    const dialog = screen.getByRole("dialog", { name: "Edit meter" });
    expect(within(dialog).getByLabelText("Readings (the meter's register)")).toBeChecked();
    expect(within(dialog).getByLabelText("Rolls over after (optional)")).toHaveValue("99999.9");

    await person.click(within(dialog).getByLabelText("Consumption (amounts)"));
    await person.click(within(dialog).getByRole("button", { name: "Save" }));
    const message = "The mode changes only while the meter has no records and no readings.";
    expect(await within(dialog).findByText(message)).toBeInTheDocument();
    expect(screen.getAllByText(message)).toHaveLength(1);
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
    expect(patches).toEqual([{ name: "House", mode: "consumption" }]);

    await person.click(within(dialog).getByLabelText("Readings (the meter's register)"));
    expect(within(dialog).queryByText(message)).not.toBeInTheDocument();
    await person.clear(within(dialog).getByLabelText("Rolls over after (optional)"));
    await person.type(within(dialog).getByLabelText("Limit per day (optional)"), "40");
    await person.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(patches[1]).toEqual({ name: "House", rollover_at: null, max_per_day: 40 });
  });

  test("deleting a readings meter counts its readings", async () => {
    server.use(http.get(`${API}/api/readings`, () => HttpResponse.json({ items: [], page: 1, per_page: 1, total: 4, pages: 4 })));
    const person = userEvent.setup();
    renderInHousehold(<MetersPage />);
    await person.click(await screen.findByRole("button", { name: "Delete House" }));
    const dialog = screen.getByRole("dialog", { name: "Delete the meter and its readings?" });
    expect(await within(dialog).findByText(/^House has 4 readings\. Deleting it deletes every one of them too\./)).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Delete meter and 4 readings" })).toBeInTheDocument();
  });
});

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

describe("live", () => {
  const fetches = { records: 0, readings: 0, analytics: 0, meters: 0 };

  function Pages() {
    const records = useQuery(recordsQuery(defaultFilters));
    const readings = useQuery(readingsQuery(1, 1));
    const summary = useQuery(summaryQuery({ date_from: "2026-03-01", date_to: "2026-03-31", group_by: "type" }));
    const list = useQuery(metersQuery());
    return (
      <p data-testid="loaded">
        {records.data?.total},{readings.data?.total},{summary.data?.groups.length},{list.data?.length}
      </p>
    );
  }

  beforeEach(() => {
    FakeSocket.all = [];
    Object.assign(fetches, { records: 0, readings: 0, analytics: 0, meters: 0 });
    const count = (name: keyof typeof fetches, answer: () => Response) => () => {
      fetches[name] += 1;
      return answer();
    };
    server.use(
      http.get(
        `${API}/api/records`,
        count("records", () => HttpResponse.json({ items: [], page: 1, per_page: 20, total: 0, pages: 0 })),
      ),
      http.get(
        `${API}/api/readings`,
        count("readings", () => HttpResponse.json({ items: [], page: 1, per_page: 20, total: 0, pages: 0 })),
      ),
      http.get(
        `${API}/api/analytics/summary`,
        count("analytics", () =>
          HttpResponse.json({
            period: { from: "2026-03-01", to: "2026-03-31" },
            previous_period: { from: "2026-02-01", to: "2026-02-28" },
            groups: [],
          }),
        ),
      ),
      http.get(
        `${API}/api/meters`,
        count("meters", () => HttpResponse.json({ items: [HOUSE] })),
      ),
    );
    globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
    apiClient.setToken("tok-1");
  });
  afterEach(() => act(() => apiClient.setToken(null)));

  test("each reading event and an import of readings refetch the readings, the meters (last reading) and the analytics, not the records", async () => {
    renderWithProviders(
      <LiveProvider>
        <Pages />
      </LiveProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("loaded")).toHaveTextContent("0,0,0,1"));
    const socket = FakeSocket.all[0]!;
    act(() => socket.onopen?.());
    socket.push({ type: "ready" });
    expect(fetches).toEqual({ records: 1, readings: 1, analytics: 1, meters: 1 });
    socket.push({ type: "reading.created", reading: { id: 1 } });
    await waitFor(() => expect(fetches).toEqual({ records: 1, readings: 2, analytics: 2, meters: 2 }));
    socket.push({ type: "reading.updated", reading: { id: 1 } });
    await waitFor(() => expect(fetches).toEqual({ records: 1, readings: 3, analytics: 3, meters: 3 }));
    socket.push({ type: "reading.deleted", id: 1 });
    await waitFor(() => expect(fetches).toEqual({ records: 1, readings: 4, analytics: 4, meters: 4 }));
    socket.push({ type: "readings.imported", count: 3 });
    await waitFor(() => expect(fetches).toEqual({ records: 1, readings: 5, analytics: 5, meters: 5 }));
  });
});
