import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { MetersPage } from "@/features/meters/components/meters-page";
import { client } from "@/lib/api-client";

import { API, error, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

/** How many records each meter has (the latest is of 2 March, 1.5 in the meter's unit). */
let counts: Record<string, number>;
let deleted: string[];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  counts = {};
  deleted = [];
  server.use(
    http.get(`${API}/api/records`, ({ request }) => {
      const id = new URL(request.url).searchParams.get("meter_id")!;
      const total = counts[id] ?? 0;
      const items = total
        ? [
            {
              id: 100,
              meter_id: Number(id),
              meter_name: "x",
              type: "gas" as const,
              unit: "ft3",
              date: "2026-03-02",
              amount: 1.5,
              cost: null,
              note: null,
              created_at: "2026-03-02T00:00:00+00:00",
              updated_at: "2026-03-02T00:00:00+00:00",
            },
          ]
        : [];
      return HttpResponse.json({ items, page: 1, per_page: 1, total, pages: total });
    }),
    http.get(`${API}/api/analytics/summary`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      return HttpResponse.json({
        period: { from: query.get("date_from")!, to: query.get("date_to")! },
        previous_period: { from: query.get("date_from")!, to: query.get("date_to")! },
        groups: [
          {
            key: "1",
            label: "Gas",
            unit: "ft3",
            total: 12,
            count: 3,
            average_per_day: 1,
            min: 1,
            max: 5,
            cost_total: 0,
            previous_total: 8,
            change_pct: 50,
          },
        ],
      });
    }),
    http.delete(`${API}/api/meters/:id`, ({ request, params }) => {
      deleted.push(`${String(params.id)}${new URL(request.url).search}`);
      return new HttpResponse(null, { status: 204 });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

test("units show as m³ and ft³; a taken name shows once and is gone when the dialog opens again", async () => {
  let meters = [meter(1, "Gas", "gas", "ft3"), meter(2, "Water", "water", "m3")];
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: meters })),
    http.post(`${API}/api/meters`, async ({ request }) => {
      const body = (await request.json()) as { name: string; household_id: number };
      // A new meter goes into the household on screen.
      expect(body.household_id).toBe(1);
      if (body.name === "Gas") return error(409, "conflict", "You already have a meter with this name.");
      meters = [...meters, meter(3, body.name, "electricity", "kWh")];
      return HttpResponse.json(meters[2], { status: 201 });
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<MetersPage />);
  expect(await screen.findByText("Gas · ft³")).toBeInTheDocument();
  expect(screen.getByText("Water · m³")).toBeInTheDocument();

  await person.click(screen.getByRole("button", { name: "Add meter" }));
  let dialog = screen.getByRole("dialog", { name: "Add meter" });
  await person.type(within(dialog).getByLabelText("Name"), "Gas");
  await person.click(within(dialog).getByRole("button", { name: "Add meter" }));
  expect(await within(dialog).findByText("You already have a meter with this name.")).toBeInTheDocument();
  expect(screen.getAllByText("You already have a meter with this name.")).toHaveLength(1);

  await person.click(within(dialog).getByRole("button", { name: "Cancel" }));
  await person.click(screen.getByRole("button", { name: "Add meter" }));
  dialog = screen.getByRole("dialog", { name: "Add meter" });
  expect(within(dialog).getByLabelText("Name")).toHaveValue("");
  expect(screen.queryByText("You already have a meter with this name.")).not.toBeInTheDocument();

  // A saved meter shows without a reload: the mutation refetches the list.
  await person.type(within(dialog).getByLabelText("Name"), "House");
  await person.click(within(dialog).getByRole("button", { name: "Add meter" }));
  expect(await screen.findByText("House")).toBeInTheDocument();
  expect(screen.getByText("Meter added.")).toBeInTheDocument();
});

test("a page that goes away cancels its request", async () => {
  server.use(http.get(`${API}/api/meters`, () => new Promise<Response>(() => {})));
  const get = jest.spyOn(client, "GET");
  const { unmount } = renderInHousehold(<MetersPage />);
  expect(await screen.findByText("Loading meters…")).toBeInTheDocument();
  await waitFor(() =>
    expect(get).toHaveBeenCalledWith("/api/meters", { query: { household_id: 1 }, signal: expect.any(AbortSignal), silent: true }),
  );
  const { signal } = get.mock.calls.find(([path]) => path === "/api/meters")![1] as { signal: AbortSignal };
  expect(signal.aborted).toBe(false);

  unmount();
  await waitFor(() => expect(signal.aborted).toBe(true));
  get.mockRestore();
});

test("each meter shows its last value, this month's total and trend, and links to its records", async () => {
  counts = { "1": 3 };
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [meter(1, "Gas", "gas", "ft3"), meter(2, "Water", "water", "m3")] })),
  );
  renderInHousehold(<MetersPage />);
  expect(await screen.findByText("Last 1.5 ft³ on 03/02/2026 · this month 12 ft³ (+50% vs last month)")).toBeInTheDocument();
  expect(await screen.findByText("No records yet")).toBeInTheDocument();
  expect(screen.getByRole("link", { name: "Records of Gas" })).toHaveAttribute("href", "/records?meter_id=1");
});

test("deleting a meter says how many records go with it and offers Archive instead", async () => {
  counts = { "1": 3 };
  let meters = [meter(1, "Gas", "gas", "ft3"), meter(2, "Water", "water", "m3")];
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: meters })),
    http.patch(`${API}/api/meters/:id`, async ({ request }) => {
      const body = (await request.json()) as { archived: boolean };
      meters = meters.map((item) => (item.id === 1 ? { ...item, archived: body.archived } : item));
      return HttpResponse.json(meters[0]);
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<MetersPage />);
  await person.click(await screen.findByRole("button", { name: "Delete Gas" }));
  let dialog = screen.getByRole("dialog", { name: "Delete the meter and its records?" });
  expect(
    await within(dialog).findByText(
      "Gas has 3 records. Deleting it deletes every one of them too. Archive it instead to keep them and hide the meter from new records.",
    ),
  ).toBeInTheDocument();
  await person.click(within(dialog).getByRole("button", { name: "Archive" }));
  expect(await screen.findByText("archived")).toBeInTheDocument();
  expect(deleted).toEqual([]);

  await person.click(screen.getByRole("button", { name: "Delete Water" }));
  dialog = screen.getByRole("dialog", { name: "Delete this meter?" });
  expect(await within(dialog).findByText("Water has no records and will be deleted.")).toBeInTheDocument();
  expect(within(dialog).queryByRole("button", { name: "Archive" })).not.toBeInTheDocument();
  await person.click(within(dialog).getByRole("button", { name: "Delete" }));
  await waitFor(() => expect(deleted).toEqual(["2"]));

  await person.click(screen.getByRole("button", { name: "Delete Gas" }));
  dialog = screen.getByRole("dialog", { name: "Delete the meter and its records?" });
  await person.click(await within(dialog).findByRole("button", { name: "Delete meter and 3 records" }));
  await waitFor(() => expect(deleted).toEqual(["2", "1?cascade=true"]));
});
