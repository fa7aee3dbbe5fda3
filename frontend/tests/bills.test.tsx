import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import type { Bill } from "@/features/bills/api/bills";
import { BillsPage } from "@/features/bills/components/bills-page";
import { invalidateFor } from "@/lib/live";

import { API, household, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

function bill(id: number, meterId: number, billed: number, computed: number, extra: Partial<Bill> = {}): Bill {
  const difference = Math.round((billed - computed) * 100) / 100;
  return {
    id,
    household_id: 1,
    meter_id: meterId,
    period_from: "2026-01-01",
    period_to: "2026-01-31",
    amount: 310,
    cost: billed,
    note: null,
    attachment_ids: [],
    created_at: "2026-02-05T00:00:00+00:00",
    updated_at: "2026-02-05T00:00:00+00:00",
    computed: { amount: 300, cost: computed },
    difference: { amount: 10, cost: difference, cost_pct: computed ? Math.round((difference / computed) * 1000) / 10 : null },
    ...extra,
  };
}

let bills: Bill[];
let posted: unknown[];
let billQueries: string[];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  posted = [];
  billQueries = [];
  bills = [
    bill(1, 1, 112.4, 100),
    bill(2, 1, 87.6, 100, { period_from: "2026-02-01", period_to: "2026-02-28" }),
    bill(3, 2, 40, 40, { period_from: "2026-02-01", period_to: "2026-02-28", amount: null, note: "Estimated" }),
  ];
  window.history.replaceState(null, "", "/bills");
  server.use(
    http.get(`${API}/api/meters`, () =>
      HttpResponse.json({ items: [meter(1, "Power", "electricity", "kWh"), meter(2, "Water", "water", "m3")] }),
    ),
    http.get(`${API}/api/bills`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      billQueries.push(query.toString());
      const meterId = query.get("meter_id");
      // The API's order: newest period first.
      const items = bills
        .filter((item) => !meterId || String(item.meter_id) === meterId)
        .sort((a, b) => b.period_from.localeCompare(a.period_from) || b.id - a.id);
      return HttpResponse.json({ items, page: 1, per_page: 100, total: items.length, pages: items.length ? 1 : 0 });
    }),
    http.post(`${API}/api/bills`, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      posted.push(body);
      const created = bill(4, Number(body.meter_id), Number(body.cost), 50, {
        period_from: String(body.period_from),
        period_to: String(body.period_to),
      });
      bills = [...bills, created];
      return HttpResponse.json(created, { status: 201 });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

test("each bill's difference is a sentence in colour: more in red, less in amber, a match in green", async () => {
  renderInHousehold(<BillsPage />);
  const more = await screen.findByTestId("bill-difference-1");
  expect(more).toHaveTextContent("Billed $12.40 more than your readings say (+12.4%)");
  expect(more).toHaveAttribute("data-tone", "more");
  expect(more).toHaveClass("text-red-700");

  const less = screen.getByTestId("bill-difference-2");
  expect(less).toHaveTextContent("Billed $12.40 less than your readings say (−12.4%)");
  expect(less).toHaveAttribute("data-tone", "less");
  expect(less).toHaveClass("text-amber-700");

  const matches = screen.getByTestId("bill-difference-3");
  expect(matches).toHaveTextContent(/^Billed as your readings say$/);
  expect(matches).toHaveAttribute("data-tone", "matches");
  expect(matches).toHaveClass("text-emerald-700");
});

test("bills are listed per meter with the period, what was billed and what the readings say", async () => {
  renderInHousehold(<BillsPage />);
  const first = await screen.findByTestId("bill-1");
  expect(first).toHaveTextContent("01/01/2026 – 01/31/2026");
  expect(within(first).getByTestId("bill-billed")).toHaveTextContent("$112.40310.00 kWh");
  expect(within(first).getByTestId("bill-computed")).toHaveTextContent("$100.00300.00 kWh");
  const water = screen.getByTestId("bill-3");
  expect(within(water).getByTestId("bill-billed")).toHaveTextContent("$40.00—");
  expect(water).toHaveTextContent("Estimated");
  // One card per meter, the newest period first.
  const headings = screen.getAllByRole("heading", { level: 2 }).map((heading) => heading.textContent);
  expect(headings).toEqual(["Power", "Water"]);
  const power = screen.getByTestId("bill-2").closest("table")!;
  expect(
    within(power)
      .getAllByTestId(/^bill-\d$/)
      .map((row) => row.dataset.testid),
  ).toEqual(["bill-2", "bill-1"]);
});

test("the meter filter is in the URL and narrows the request", async () => {
  window.history.replaceState(null, "", "/bills?meter_id=2");
  const person = userEvent.setup();
  renderInHousehold(<BillsPage />);
  expect(await screen.findByTestId("bill-3")).toBeInTheDocument();
  expect(screen.queryByTestId("bill-1")).not.toBeInTheDocument();
  expect(billQueries).toEqual(["meter_id=2&page=1&per_page=100&household_id=1"]);
  await person.selectOptions(screen.getByLabelText("Meter"), "");
  expect(await screen.findByTestId("bill-1")).toBeInTheDocument();
  expect(window.location.search).toBe("");
});

test("a new bill is checked first (period order), then sent and listed with its difference", async () => {
  const person = userEvent.setup();
  renderInHousehold(<BillsPage />);
  await screen.findByTestId("bill-1");
  await person.click(screen.getByRole("button", { name: "Add bill" }));
  const dialog = screen.getByRole("dialog", { name: "Add bill" });
  await person.selectOptions(within(dialog).getByLabelText("Meter"), "2");
  await person.type(within(dialog).getByLabelText("From"), "2026-03-31");
  await person.type(within(dialog).getByLabelText("To"), "2026-03-01");
  await person.type(within(dialog).getByLabelText("Billed cost"), "55,5");
  await person.click(within(dialog).getByRole("button", { name: "Add bill" }));
  expect(await within(dialog).findByText("The end must not be before the start")).toBeInTheDocument();
  expect(posted).toEqual([]);

  await person.clear(within(dialog).getByLabelText("To"));
  await person.type(within(dialog).getByLabelText("To"), "2027-05-05");
  await person.click(within(dialog).getByRole("button", { name: "Add bill" }));
  expect(await within(dialog).findByText("A bill covers at most 400 days")).toBeInTheDocument();
  expect(posted).toEqual([]);

  await person.clear(within(dialog).getByLabelText("To"));
  await person.type(within(dialog).getByLabelText("To"), "2026-04-30");
  await person.click(within(dialog).getByRole("button", { name: "Add bill" }));
  await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  expect(posted).toEqual([
    { meter_id: 2, period_from: "2026-03-31", period_to: "2026-04-30", amount: null, cost: 55.5, note: null, household_id: 1 },
  ]);
  expect(await screen.findByTestId("bill-difference-4")).toHaveTextContent("Billed $5.50 more than your readings say (+11%)");
});

test("a viewer sees the bills but no control that would change them", async () => {
  server.use(http.get(`${API}/api/households`, () => HttpResponse.json({ items: [household(1, "Flat", "viewer")] })));
  renderInHousehold(<BillsPage />);
  await screen.findByTestId("bill-1");
  expect(screen.queryAllByRole("button")).toEqual([]);
});

test("pushed bill and tariff events refetch the bills on screen", async () => {
  const { queryClient } = renderInHousehold(<BillsPage />);
  await screen.findByTestId("bill-1");
  expect(billQueries).toHaveLength(1);
  bills = bills.filter((item) => item.id !== 1);
  await act(() => invalidateFor(queryClient, { type: "bill.deleted", id: 1 }));
  await waitFor(() => expect(screen.queryByTestId("bill-1")).not.toBeInTheDocument());
  expect(billQueries).toHaveLength(2);
  await act(() => invalidateFor(queryClient, { type: "tariff.changed", meter_id: 1 }));
  await waitFor(() => expect(billQueries).toHaveLength(3));
});

test("editing a bill keeps its meter and sends only its days and figures", async () => {
  const patched: unknown[] = [];
  server.use(
    http.patch(`${API}/api/bills/:id`, async ({ request, params }) => {
      const body = (await request.json()) as Record<string, unknown>;
      patched.push({ id: params.id, body });
      bills = bills.map((item) => (item.id === 1 ? bill(1, 1, Number(body.cost), 100) : item));
      return HttpResponse.json(bills[0]);
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<BillsPage />);
  await person.click(await screen.findByRole("button", { name: "Edit the bill of Power, 01/01/2026 – 01/31/2026" }));
  const dialog = screen.getByRole("dialog", { name: "Edit bill" });
  expect(within(dialog).queryByLabelText("Meter")).not.toBeInTheDocument();
  expect(dialog).toHaveTextContent("Meter: Power");
  await person.clear(within(dialog).getByLabelText("Billed cost"));
  await person.type(within(dialog).getByLabelText("Billed cost"), "100");
  await person.click(within(dialog).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  expect(patched).toEqual([{ id: "1", body: { period_from: "2026-01-01", period_to: "2026-01-31", amount: 310, cost: 100, note: null } }]);
  expect(await screen.findByText("Billed as your readings say", { selector: "[data-testid=bill-difference-1]" })).toBeInTheDocument();
});
