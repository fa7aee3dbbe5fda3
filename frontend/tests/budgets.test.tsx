import { act, configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { budgetChanges, budgetInput, type Budget } from "@/features/budgets/api/budgets";
import { BudgetProgressCard } from "@/features/budgets/components/budget-progress-card";
import { BudgetsPage } from "@/features/budgets/components/budgets-page";
import { invalidateFor } from "@/lib/live";

import { API, error, household, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

// The suite runs beside others on a busy machine: give the pages time to answer.
configure({ asyncUtilTimeout: 5000 });

function budget(id: number, extra: Partial<Budget> = {}, progress: Partial<Budget["progress"]> = {}): Budget {
  return {
    id,
    household_id: 1,
    name: "Power this month",
    meter_id: 1,
    type: null,
    period: "month",
    limit_amount: 300,
    limit_cost: null,
    thresholds: [80, 100],
    unit: "kWh",
    created_at: "2026-11-01T00:00:00+00:00",
    updated_at: "2026-11-01T00:00:00+00:00",
    ...extra,
    progress: {
      period: { from: "2026-11-01", to: "2026-11-30" },
      used: 240,
      limit: 300,
      pct: 80,
      forecast: 330,
      forecast_pct: 110,
      ...progress,
    },
  };
}

let budgets: Budget[];
let posted: unknown[];
let budgetQueries: string[];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  posted = [];
  budgetQueries = [];
  budgets = [
    budget(1),
    budget(
      2,
      { name: "Water", meter_id: null, type: "water", limit_amount: null, limit_cost: 50, thresholds: [50], unit: null },
      { used: 10, limit: 50, pct: 20, forecast: 12, forecast_pct: 24 },
    ),
  ];
  server.use(
    http.get(`${API}/api/meters`, () =>
      HttpResponse.json({ items: [meter(1, "Power", "electricity", "kWh"), meter(2, "Garden tap", "water", "m3")] }),
    ),
    http.get(`${API}/api/budgets`, ({ request }) => {
      budgetQueries.push(new URL(request.url).searchParams.toString());
      return HttpResponse.json({ items: budgets, page: 1, per_page: 100, total: budgets.length, pages: 1 });
    }),
    http.post(`${API}/api/budgets`, async ({ request }) => {
      const body = (await request.json()) as Partial<Budget>;
      posted.push(body);
      const created = budget(
        3,
        { ...body, household_id: 1 },
        { used: 0, limit: Number(body.limit_amount), pct: 0, forecast: 0, forecast_pct: 0 },
      );
      budgets = [...budgets, created];
      return HttpResponse.json(created, { status: 201 });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

test("a budget's bar shows what is used, the forecast as a marker and the thresholds as ticks, with the figures in words", async () => {
  renderInHousehold(<BudgetsPage />);
  const card = await screen.findByTestId("budget-1");
  expect(card).toHaveTextContent("Power this month");
  expect(card).toHaveTextContent("Power · Calendar month");
  // The scale runs to the forecast's 110%: 80% of the limit sits at 80/110 of the bar.
  const progress = within(card).getByTestId("budget-progress-1");
  expect(progress).toHaveAttribute("data-tone", "warning");
  expect(within(progress).getByTestId("budget-used-bar")).toHaveStyle({ width: "72.7%" });
  expect(within(progress).getByTestId("forecast-marker")).toHaveStyle({ left: "100%" });
  expect(
    within(progress)
      .getAllByTestId("threshold-tick")
      .map((tick) => [tick.dataset.threshold, tick.style.left]),
  ).toEqual([
    ["80", "72.7%"],
    ["100", "90.9%"],
  ]);
  expect(within(progress).getByTestId("budget-used")).toHaveTextContent("Used 240 kWh of 300 kWh (80%)");
  expect(within(progress).getByTestId("budget-forecast")).toHaveTextContent("Forecast for the period 330 kWh (110%)");
  expect(within(progress).getByTestId("budget-period")).toHaveTextContent("11/01/2026 – 11/30/2026 · alerts at 80%, 100%");

  // A cost budget on a type: money, the bar on a 100% scale.
  const water = screen.getByTestId("budget-2");
  expect(water).toHaveTextContent("All water meters · Calendar month");
  expect(within(water).getByTestId("budget-used")).toHaveTextContent("Used $10.00 of $50.00 (20%)");
  expect(within(water).getByTestId("budget-forecast")).toHaveTextContent("Forecast for the period $12.00 (24%)");
  expect(within(water).getByTestId("forecast-marker")).toHaveStyle({ left: "24%" });
  expect(within(water).getByTestId("budget-used-bar")).toHaveStyle({ width: "20%" });
  expect(within(water).getByTestId("budget-progress-2")).toHaveAttribute("data-tone", "ok");
  expect(budgetQueries).toEqual(["per_page=100&household_id=1"]);
});

test("the dialog checks its fields first, then shows the API's 422s under the fields they name", async () => {
  server.use(
    http.post(`${API}/api/budgets`, async ({ request }) => {
      posted.push(await request.json());
      return error(422, "validation_error", "Some fields are not valid.", [
        { loc: ["body", "limit_amount"], msg: "The limit must be less than 1,000,000,000", type: "value_error" },
        { loc: ["body", "thresholds", 0], msg: "Input should be less than or equal to 500", type: "less_than_equal" },
      ]);
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<BudgetsPage />);
  await screen.findByTestId("budget-1");
  await person.click(screen.getByRole("button", { name: "Add budget" }));
  const dialog = screen.getByRole("dialog", { name: "Add budget" });
  await person.clear(within(dialog).getByLabelText("Alert thresholds (%)"));
  await person.type(within(dialog).getByLabelText("Alert thresholds (%)"), "80, 600");
  await person.click(within(dialog).getByRole("button", { name: "Add budget" }));
  expect(await within(dialog).findByText("Name is required")).toBeInTheDocument();
  expect(within(dialog).getByText("The limit is required")).toBeInTheDocument();
  expect(within(dialog).getByText("Thresholds are whole percentages from 1 to 500")).toBeInTheDocument();
  expect(posted).toEqual([]);

  await person.type(within(dialog).getByLabelText("Name"), "Too much");
  await person.type(within(dialog).getByLabelText("Limit"), "12,5");
  await person.clear(within(dialog).getByLabelText("Alert thresholds (%)"));
  await person.type(within(dialog).getByLabelText("Alert thresholds (%)"), "100, 80");
  await person.click(within(dialog).getByRole("button", { name: "Add budget" }));
  expect(await within(dialog).findByText("The limit must be less than 1,000,000,000")).toBeInTheDocument();
  expect(within(dialog).getByText("Input should be less than or equal to 500")).toBeInTheDocument();
  expect(within(dialog).getByLabelText("Limit")).toHaveAttribute("aria-invalid", "true");
  expect(within(dialog).getByLabelText("Alert thresholds (%)")).toHaveAttribute("aria-invalid", "true");
  // Each message once: under its field, not above the form as well.
  expect(
    within(dialog)
      .getAllByRole("alert")
      .map((node) => node.textContent),
  ).toEqual(["The limit must be less than 1,000,000,000", "Input should be less than or equal to 500"]);
  expect(posted).toEqual([
    {
      name: "Too much",
      meter_id: 1,
      type: null,
      period: "month",
      limit_amount: 12.5,
      limit_cost: null,
      thresholds: [80, 100],
      household_id: 1,
    },
  ]);
});

test("a new budget on a type with a cost limit sends exactly one of each pair, and is listed", async () => {
  const person = userEvent.setup();
  renderInHousehold(<BudgetsPage />);
  await screen.findByTestId("budget-1");
  await person.click(screen.getByRole("button", { name: "Add budget" }));
  const dialog = screen.getByRole("dialog", { name: "Add budget" });
  await person.type(within(dialog).getByLabelText("Name"), "Gas bill");
  await person.selectOptions(within(dialog).getByLabelText("Budget on"), "type");
  await person.selectOptions(within(dialog).getByLabelText("Type"), "gas");
  await person.selectOptions(within(dialog).getByLabelText("Period"), "billing");
  await person.selectOptions(within(dialog).getByLabelText("Limit in"), "cost");
  expect(within(dialog).getByTestId("field-suffix")).toHaveTextContent("USD");
  await person.type(within(dialog).getByLabelText("Limit"), "80");
  await person.click(within(dialog).getByRole("button", { name: "Add budget" }));
  await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  expect(posted).toEqual([
    {
      name: "Gas bill",
      meter_id: null,
      type: "gas",
      period: "billing",
      limit_amount: null,
      limit_cost: 80,
      thresholds: [80, 100],
      household_id: 1,
    },
  ]);
  expect(await screen.findByTestId("budget-3")).toHaveTextContent("Gas bill");
});

test("editing sends the changed budget; deleting asks first", async () => {
  const patched: unknown[] = [];
  const deleted: string[] = [];
  server.use(
    http.patch(`${API}/api/budgets/:id`, async ({ request, params }) => {
      const body = (await request.json()) as Partial<Budget>;
      patched.push({ id: params.id, body });
      budgets = budgets.map((item) => (item.id === 1 ? budget(1, body) : item));
      return HttpResponse.json(budgets[0]);
    }),
    http.delete(`${API}/api/budgets/:id`, ({ params }) => {
      deleted.push(String(params.id));
      budgets = budgets.filter((item) => String(item.id) !== params.id);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<BudgetsPage />);
  await person.click(await screen.findByRole("button", { name: "Edit Power this month" }));
  const dialog = screen.getByRole("dialog", { name: "Edit budget" });
  expect(within(dialog).getByLabelText("Limit")).toHaveValue("300");
  expect(within(dialog).getByTestId("field-suffix")).toHaveTextContent("kWh");
  await person.clear(within(dialog).getByLabelText("Limit"));
  await person.type(within(dialog).getByLabelText("Limit"), "350");
  await person.click(within(dialog).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  // Only what changed: the API refuses nulls in a PATCH.
  expect(patched).toEqual([{ id: "1", body: { limit_amount: 350 } }]);

  await person.click(screen.getByRole("button", { name: "Delete Water" }));
  const confirm = screen.getByRole("dialog", { name: "Delete this budget?" });
  await person.click(within(confirm).getByRole("button", { name: "Delete" }));
  await waitFor(() => expect(screen.queryByTestId("budget-2")).not.toBeInTheDocument());
  expect(deleted).toEqual(["2"]);
});

test("a viewer reads the budgets and gets no control that would change them", async () => {
  server.use(http.get(`${API}/api/households`, () => HttpResponse.json({ items: [household(1, "Flat", "viewer")] })));
  renderInHousehold(<BudgetsPage />);
  await screen.findByTestId("budget-1");
  expect(screen.queryAllByRole("button")).toEqual([]);
});

test("the dashboard's card lists each budget's progress, and a new record refetches it", async () => {
  const { queryClient } = renderInHousehold(<BudgetProgressCard />);
  const list = await screen.findByTestId("budget-card-list");
  expect(
    within(list)
      .getAllByRole("listitem")
      .map((item) => item.textContent),
  ).toEqual([
    "Power this month · PowerUsed 240 kWh of 300 kWh (80%)Forecast for the period 330 kWh (110%)",
    "Water · All water metersUsed $10.00 of $50.00 (20%)Forecast for the period $12.00 (24%)",
  ]);
  expect(screen.getByRole("link", { name: "All budgets" })).toHaveAttribute("href", "/budgets");
  budgets = [budget(1, {}, { used: 300, pct: 100 })];
  await act(() => invalidateFor(queryClient, { type: "record.created" }));
  await waitFor(() => expect(screen.getByTestId("budget-used")).toHaveTextContent("Used 300 kWh of 300 kWh (100%)"));
  expect(screen.getByTestId("budget-progress-1")).toHaveAttribute("data-tone", "over");
  expect(budgetQueries).toHaveLength(2);
  // A budget deleted on another device goes from the card.
  budgets = [];
  await act(() => invalidateFor(queryClient, { type: "budget.deleted", id: 1 }));
  expect(await screen.findByText("No budgets yet: a budget alerts you before the month is over.")).toBeInTheDocument();
  expect(budgetQueries).toHaveLength(3);
});

test("an edit sends a new target or limit alone, never the pair's other field or a null", () => {
  const power = budget(1);
  expect(budgetChanges(power, budgetInput(power))).toEqual({});
  expect(budgetChanges(power, { ...budgetInput(power), scope: "type", type: "electricity", limit_kind: "cost", limit: "45.5" })).toEqual({
    type: "electricity",
    limit_cost: 45.5,
  });
  expect(budgetChanges(power, { ...budgetInput(power), thresholds: "100, 50, 50", period: "billing", name: " Power " })).toEqual({
    name: "Power",
    period: "billing",
    thresholds: [50, 100],
  });
});
