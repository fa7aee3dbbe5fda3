import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import type { Tariff } from "@/features/tariffs/api/tariffs";
import { TariffsCard } from "@/features/tariffs/components/tariffs-card";
import { invalidateFor } from "@/lib/live";

import { API, error, household, server } from "./support/api";
import { renderInHousehold } from "./support/render";

const SPRING: Tariff = {
  id: 5,
  meter_id: 1,
  valid_from: "2026-03-01",
  valid_to: null,
  unit_price: 0.25,
  standing_charge: 0.4,
  tax_pct: 5,
  created_at: "2026-03-01T00:00:00+00:00",
};
const WINTER: Tariff = {
  ...SPRING,
  id: 4,
  valid_from: "2026-01-01",
  valid_to: "2026-02-28",
  unit_price: 0.3,
  standing_charge: 0.35,
  tax_pct: 20,
};

/** Each request to the tariffs: method, dry run or not, body. */
let calls: { method: string; path: string; dryRun: boolean; body: unknown }[];
let tariffs: Tariff[];
let lists: number;

function record(method: string) {
  return async ({ request }: { request: Request }) => {
    const url = new URL(request.url);
    const body = method === "DELETE" ? null : await request.json();
    const dryRun = url.searchParams.get("dry_run") === "true";
    calls.push({ method, path: url.pathname, dryRun, body });
    if (dryRun) return HttpResponse.json({ days: 183, cost_before: 100, cost_after: 112.4, difference: 12.4 });
    if (method === "POST") {
      const created = { ...SPRING, id: 9, ...(body as object) } as Tariff;
      tariffs = [created, ...tariffs];
      return HttpResponse.json(created, { status: 201 });
    }
    if (method === "DELETE") {
      tariffs = tariffs.filter((tariff) => !url.pathname.endsWith(`/${tariff.id}`));
      return new HttpResponse(null, { status: 204 });
    }
    return HttpResponse.json({ ...SPRING, ...(body as object) });
  };
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  calls = [];
  lists = 0;
  tariffs = [WINTER, SPRING];
  server.use(
    http.get(`${API}/api/meters/1/tariffs`, () => {
      lists += 1;
      return HttpResponse.json({ items: tariffs });
    }),
    http.post(`${API}/api/meters/1/tariffs`, record("POST")),
    http.patch(`${API}/api/meters/1/tariffs/:id`, record("PATCH")),
    http.delete(`${API}/api/meters/1/tariffs/:id`, record("DELETE")),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function renderCard() {
  return renderInHousehold(<TariffsCard meterId={1} unit="kWh" currency="EUR" today="2026-03-15" />);
}

test("the tariffs are a dated list, newest first, each until the day before the next", async () => {
  renderCard();
  const spring = await screen.findByTestId("tariff-5");
  const rows = screen.getAllByTestId(/^tariff-/);
  expect(rows.map((row) => row.dataset.testid)).toEqual(["tariff-5", "tariff-4"]);
  expect(spring).toHaveTextContent("03/01/2026 onwards");
  expect(spring).toHaveTextContent("€0.25/kWh");
  expect(spring).toHaveTextContent("€0.40/day");
  expect(spring).toHaveTextContent("5%");
  expect(screen.getByTestId("tariff-4")).toHaveTextContent("01/01/2026 to 02/28/2026");
  expect(screen.getByTestId("tariff-4")).toHaveTextContent("20%");
});

test("a new tariff shows what changes in past costs before anything is saved, then saves on confirmation", async () => {
  const person = userEvent.setup();
  renderCard();
  await screen.findByTestId("tariff-5");
  await person.click(screen.getByRole("button", { name: "Add tariff" }));
  const dialog = screen.getByRole("dialog", { name: "Add tariff" });
  const validFrom = within(dialog).getByLabelText("Valid from");
  await person.clear(validFrom);
  await person.type(validFrom, "2025-09-15");
  await person.type(within(dialog).getByLabelText("Unit price"), "0,2815");
  await person.clear(within(dialog).getByLabelText("Standing charge"));
  await person.type(within(dialog).getByLabelText("Standing charge"), "0.45");
  await person.clear(within(dialog).getByLabelText("Tax"));
  await person.type(within(dialog).getByLabelText("Tax"), "19");
  await person.click(within(dialog).getByRole("button", { name: "Review" }));

  expect(await within(dialog).findByTestId("tariff-dry-run")).toHaveTextContent(
    "Past costs change by +€12.40 over 183 days.€100.00 before, €112.40 after.",
  );
  // Only the dry run has been sent: nothing is saved yet.
  expect(calls).toEqual([
    {
      method: "POST",
      path: "/api/meters/1/tariffs",
      dryRun: true,
      body: { valid_from: "2025-09-15", unit_price: 0.2815, standing_charge: 0.45, tax_pct: 19 },
    },
  ]);
  expect(lists).toBe(1);

  await person.click(within(dialog).getByRole("button", { name: "Save tariff" }));
  await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  expect(calls[1]).toEqual({
    method: "POST",
    path: "/api/meters/1/tariffs",
    dryRun: false,
    body: { valid_from: "2025-09-15", unit_price: 0.2815, standing_charge: 0.45, tax_pct: 19 },
  });
  expect(calls).toHaveLength(2);
  expect(await screen.findByTestId("tariff-9")).toHaveTextContent("09/15/2025");
  expect(lists).toBe(2);
});

test("changing a field after the review asks again; the form's own rules come first", async () => {
  const person = userEvent.setup();
  renderCard();
  await person.click(await screen.findByRole("button", { name: "Edit the tariff from 03/01/2026" }));
  const dialog = screen.getByRole("dialog", { name: "Edit tariff" });
  await person.clear(within(dialog).getByLabelText("Tax"));
  await person.type(within(dialog).getByLabelText("Tax"), "100.5");
  await person.clear(within(dialog).getByLabelText("Unit price"));
  await person.type(within(dialog).getByLabelText("Unit price"), "0.1234567");
  await person.click(within(dialog).getByRole("button", { name: "Review" }));
  expect(await within(dialog).findByText("Tax must be at most 100%")).toBeInTheDocument();
  expect(within(dialog).getByText("Unit price must have at most 6 decimal places")).toBeInTheDocument();
  expect(calls).toEqual([]);

  await person.clear(within(dialog).getByLabelText("Tax"));
  await person.type(within(dialog).getByLabelText("Tax"), "7");
  await person.clear(within(dialog).getByLabelText("Unit price"));
  await person.type(within(dialog).getByLabelText("Unit price"), "0.2");
  await person.click(within(dialog).getByRole("button", { name: "Review" }));
  expect(await within(dialog).findByTestId("tariff-dry-run")).toBeInTheDocument();
  expect(calls).toEqual([
    {
      method: "PATCH",
      path: "/api/meters/1/tariffs/5",
      dryRun: true,
      body: { valid_from: "2026-03-01", unit_price: 0.2, standing_charge: 0.4, tax_pct: 7 },
    },
  ]);
  // A change after the review withdraws it: Save is gone until the next review.
  await person.type(within(dialog).getByLabelText("Tax"), "5");
  expect(within(dialog).queryByTestId("tariff-dry-run")).not.toBeInTheDocument();
  expect(within(dialog).queryByRole("button", { name: "Save tariff" })).not.toBeInTheDocument();
  expect(within(dialog).getByRole("button", { name: "Review" })).toBeInTheDocument();
});

test("a second version on the same day (409) shows under Valid from, once", async () => {
  server.use(http.post(`${API}/api/meters/1/tariffs`, () => error(409, "conflict", "This meter already has a tariff from that day.")));
  const person = userEvent.setup();
  renderCard();
  await person.click(await screen.findByRole("button", { name: "Add tariff" }));
  const dialog = screen.getByRole("dialog", { name: "Add tariff" });
  await person.type(within(dialog).getByLabelText("Unit price"), "0.3");
  await person.click(within(dialog).getByRole("button", { name: "Review" }));
  const message = await within(dialog).findByText("This meter already has a tariff from that day.");
  expect(within(dialog).getByLabelText("Valid from")).toHaveAccessibleDescription("This meter already has a tariff from that day.");
  expect(screen.getAllByText("This meter already has a tariff from that day.")).toEqual([message]);
  expect(within(dialog).queryByRole("button", { name: "Save tariff" })).not.toBeInTheDocument();
});

test("deleting a tariff shows what changes in past costs before it is confirmed", async () => {
  server.use(
    http.delete(`${API}/api/meters/1/tariffs/:id`, ({ request }) => {
      const url = new URL(request.url);
      const dryRun = url.searchParams.get("dry_run") === "true";
      calls.push({ method: "DELETE", path: url.pathname, dryRun, body: null });
      if (dryRun) return HttpResponse.json({ days: 14, cost_before: 30.5, cost_after: 25, difference: -5.5 });
      tariffs = [WINTER];
      return new HttpResponse(null, { status: 204 });
    }),
  );
  const person = userEvent.setup();
  renderCard();
  await person.click(await screen.findByRole("button", { name: "Delete the tariff from 03/01/2026" }));
  const dialog = screen.getByRole("dialog", { name: "Delete this tariff?" });
  expect(await within(dialog).findByTestId("tariff-dry-run")).toHaveTextContent("Past costs change by −€5.50 over 14 days.");
  expect(calls).toEqual([{ method: "DELETE", path: "/api/meters/1/tariffs/5", dryRun: true, body: null }]);
  await person.click(within(dialog).getByRole("button", { name: "Delete" }));
  await waitFor(() => expect(screen.queryByTestId("tariff-5")).not.toBeInTheDocument());
  expect(calls[1]).toEqual({ method: "DELETE", path: "/api/meters/1/tariffs/5", dryRun: false, body: null });
});

test("a dry run that changes nothing says so", async () => {
  server.use(http.post(`${API}/api/meters/1/tariffs`, () => HttpResponse.json({ days: 0, cost_before: 0, cost_after: 0, difference: 0 })));
  const person = userEvent.setup();
  renderCard();
  await person.click(await screen.findByRole("button", { name: "Add tariff" }));
  const dialog = screen.getByRole("dialog", { name: "Add tariff" });
  await person.type(within(dialog).getByLabelText("Unit price"), "0.3");
  await person.click(within(dialog).getByRole("button", { name: "Review" }));
  expect(await within(dialog).findByTestId("tariff-dry-run")).toHaveTextContent(
    "No past costs change: no day up to today is priced differently.",
  );
});

test("a viewer sees the tariffs but no control that would change them", async () => {
  server.use(http.get(`${API}/api/households`, () => HttpResponse.json({ items: [household(1, "Flat", "viewer")] })));
  renderCard();
  await screen.findByTestId("tariff-5");
  expect(screen.queryAllByRole("button")).toEqual([]);
});

test("a pushed tariff.changed refetches the tariffs on screen; a bill event does not", async () => {
  const { queryClient } = renderCard();
  await screen.findByTestId("tariff-5");
  expect(lists).toBe(1);
  await act(() => invalidateFor(queryClient, { type: "bill.created" }));
  expect(lists).toBe(1);
  tariffs = [SPRING];
  await act(() => invalidateFor(queryClient, { type: "tariff.changed", meter_id: 1 }));
  await waitFor(() => expect(screen.queryByTestId("tariff-4")).not.toBeInTheDocument());
  expect(lists).toBe(2);
});
