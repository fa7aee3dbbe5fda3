import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { RecordsPage } from "@/features/records/components/records-page";
import type { Schema } from "@/lib/api-client";

import { API, error, meter, server } from "./support/api";
import { renderInHousehold } from "./support/render";

const WATER = meter(2, "Water", "water", "m3");

function record(id: number, date: string, amount: number): Schema<"RecordOut"> {
  return {
    id,
    household_id: 1,
    meter_id: 2,
    meter_name: "Water",
    created_by: 1,
    type: "water",
    unit: "m3",
    date,
    amount,
    cost: null,
    note: null,
    created_at: "2026-03-01T00:00:00+00:00",
    updated_at: "2026-03-01T00:00:00+00:00",
  };
}

/** Every records request the page made, as its query string. */
let listed: URLSearchParams[];
let rows: Schema<"RecordOut">[];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  listed = [];
  rows = [record(1, "2026-03-02", 1.5)];
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [WATER] })),
    http.get(`${API}/api/records`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      listed.push(query);
      if (query.get("q") === "refused")
        return error(422, "validation_error", "The request is invalid.", [
          { loc: ["query", "q"], msg: "must not contain control characters", type: "value_error" },
        ]);
      return HttpResponse.json({ items: rows, page: 1, per_page: 20, total: rows.length, pages: 1 });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function table() {
  return screen.findByTestId("records-table");
}

test("lists the records with the unit shown as m³", async () => {
  renderInHousehold(<RecordsPage />);
  const rowsShown = within(await table()).getAllByRole("row");
  expect(rowsShown.map((row) => row.textContent)).toEqual(["Date↓MeterAmount↕CostNoteActions", "2026-03-02Water1.5 m³—EditDelete"]);
});

test("a From after To shows the error under To, no stale rows, and asks the API nothing", async () => {
  renderInHousehold(<RecordsPage />);
  await table();
  fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-03-10" } });
  fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-03-01" } });

  expect(await screen.findByText("The end must not be before the start")).toBeInTheDocument();
  expect(screen.getByLabelText("To")).toHaveAttribute("aria-invalid", "true");
  expect(screen.queryByTestId("records-table")).not.toBeInTheDocument();
  expect(screen.getByText("Correct the filters to see records")).toBeInTheDocument();
  expect(listed.filter((query) => query.get("date_to") === "2026-03-01")).toEqual([]);
});

test("a note search over 200 characters shows the error and no stale rows", async () => {
  renderInHousehold(<RecordsPage />);
  await table();
  fireEvent.change(screen.getByLabelText("Note contains"), { target: { value: "x".repeat(201) } });

  expect(await screen.findByText("Search at most 200 characters")).toBeInTheDocument();
  expect(screen.queryByTestId("records-table")).not.toBeInTheDocument();
  expect(listed.map((query) => query.get("q"))).toEqual([null]);

  fireEvent.change(screen.getByLabelText("Note contains"), { target: { value: "x".repeat(200) } });
  await table();
  expect(screen.queryByText("Search at most 200 characters")).not.toBeInTheDocument();
});

test("the API's refusal of a filter shows under that filter, once, and not the old rows", async () => {
  renderInHousehold(<RecordsPage />);
  await table();
  fireEvent.change(screen.getByLabelText("Note contains"), { target: { value: "refused" } });

  expect(await screen.findByText("must not contain control characters")).toBeInTheDocument();
  expect(screen.getAllByText("must not contain control characters")).toHaveLength(1);
  expect(screen.queryByTestId("records-table")).not.toBeInTheDocument();
});

test("after an import the Import button waits for a new file, and the list is fetched again", async () => {
  let importedInto: string | null = null;
  server.use(
    http.post(`${API}/api/records/import`, ({ request }) => {
      importedInto = new URL(request.url).searchParams.get("household_id");
      rows = [record(1, "2026-03-02", 1.5), record(2, "2026-03-03", 2)];
      return HttpResponse.json({ imported: 1, skipped_duplicates: 0, errors: [], dry_run: false, meters_created: [] });
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<RecordsPage />);
  await table();
  await person.click(screen.getByRole("button", { name: "Import CSV" }));
  const dialog = screen.getByRole("dialog");
  const file = new File(["date,meter,amount\n2026-03-03,Water,2\n"], "water.csv", { type: "text/csv" });
  await person.upload(within(dialog).getByLabelText("CSV file"), file);
  const importButton = within(dialog).getByRole("button", { name: "Import" });
  expect(importButton).toBeEnabled();
  await person.click(importButton);

  expect(await within(dialog).findByText("Imported 1 record.")).toBeInTheDocument();
  // Into the household on screen.
  expect(importedInto).toBe("1");
  expect(importButton).toBeDisabled();
  await waitFor(() => expect(listed).toHaveLength(2));

  await person.upload(within(dialog).getByLabelText("CSV file"), new File(["x"], "more.csv", { type: "text/csv" }));
  expect(importButton).toBeEnabled();
});

test("a failed list shows its message once, where the rows would be, and Try again fetches again", async () => {
  let fail = true;
  server.use(
    http.get(`${API}/api/records`, () =>
      fail
        ? error(503, "service_unavailable", "The database is unavailable; try again shortly.")
        : HttpResponse.json({ items: rows, page: 1, per_page: 20, total: 1, pages: 1 }),
    ),
  );
  const person = userEvent.setup();
  renderInHousehold(<RecordsPage />);

  expect(await screen.findByText("The database is unavailable; try again shortly.")).toBeInTheDocument();
  expect(screen.getAllByText("The database is unavailable; try again shortly.")).toHaveLength(1);
  expect(screen.queryByTestId("toast")).not.toBeInTheDocument();

  fail = false;
  await person.click(screen.getByRole("button", { name: "Try again" }));
  expect(within(await table()).getAllByRole("row")).toHaveLength(2);
});

test("meters that cannot be loaded say so on the records page", async () => {
  server.use(http.get(`${API}/api/meters`, () => error(500, "internal_error", "Something went wrong on the server.")));
  renderInHousehold(<RecordsPage />);
  expect(await screen.findByText("Something went wrong on the server.")).toBeInTheDocument();
  expect(screen.getAllByText("Something went wrong on the server.")).toHaveLength(1);
  expect(screen.getByRole("button", { name: "Add record" })).toBeDisabled();
});
