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
    attachment_ids: [],
    created_at: "2026-03-01T00:00:00+00:00",
    updated_at: "2026-03-01T00:00:00+00:00",
  };
}

/** Every records request the page made, as its query string. */
let listed: URLSearchParams[];
let rows: Schema<"RecordOut">[];
/** Every summary the footer asked for. */
let totalsAsked: URLSearchParams[];

function totals(query: URLSearchParams): Schema<"Summary"> {
  const group = (key: string, label: string, unit: string, total: number, count: number, cost: number) => ({
    key,
    label,
    unit,
    total,
    count,
    average_per_day: 0,
    min: null,
    max: null,
    cost_total: cost,
    cost_usage: cost,
    cost_standing: 0,
    cost_tax: 0,
    previous_total: 0,
    change_pct: null,
  });
  return {
    period: { from: query.get("date_from")!, to: query.get("date_to")! },
    previous_period: { from: "1900-01-01", to: "1900-01-01" },
    groups: [group("electricity", "Electricity", "kWh", 0, 0, 0), group("water", "Water", "m3", 1.5, 1, 12.25)],
  };
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  window.history.replaceState(null, "", "/records");
  listed = [];
  totalsAsked = [];
  rows = [record(1, "2026-03-02", 1.5)];
  server.use(
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [WATER] })),
    http.get(`${API}/api/analytics/summary`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      totalsAsked.push(query);
      return HttpResponse.json(totals(query));
    }),
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
  expect(rowsShown.map((row) => row.textContent)).toEqual(["Date↓Meter↕Amount↕Cost↕NoteActions", "03/02/2026Water1.50 m³—EditDelete"]);
  // The footer counts every page: the summary of the same filters over all dates.
  await waitFor(() => expect(screen.getByTestId("records-footer")).toHaveTextContent("1 record · Water 1.5 m³ · Cost $12.25"));
  expect(totalsAsked.map((query) => query.toString())).toEqual(["group_by=type&date_from=1900-01-01&date_to=2999-12-31&household_id=1"]);
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

test("filters, sort and page go into the URL, and a reloaded URL asks for the same list", async () => {
  renderInHousehold(<RecordsPage />);
  await table();
  fireEvent.change(screen.getByLabelText("Meter"), { target: { value: "2" } });
  fireEvent.click(screen.getByRole("checkbox", { name: "Water" }));
  fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-03-01" } });
  fireEvent.click(screen.getByRole("button", { name: /^Amount/ }));
  await waitFor(() => expect(window.location.search).toBe("?meter_id=2&type=water&date_from=2026-03-01&sort=amount"));
  await waitFor(() =>
    expect(listed.at(-1)?.toString()).toBe("sort=amount&page=1&per_page=20&meter_id=2&type=water&date_from=2026-03-01&household_id=1"),
  );
  await waitFor(() =>
    expect(totalsAsked.at(-1)?.toString()).toBe(
      "group_by=type&meter_id=2&type=water&date_from=2026-03-01&date_to=2999-12-31&household_id=1",
    ),
  );
});

test("meter and cost sort on the server, both ways", async () => {
  renderInHousehold(<RecordsPage />);
  await table();
  fireEvent.click(screen.getByRole("button", { name: /^Meter/ }));
  await waitFor(() => expect(listed.at(-1)?.get("sort")).toBe("meter"));
  fireEvent.click(screen.getByRole("button", { name: /^Meter/ }));
  await waitFor(() => expect(listed.at(-1)?.get("sort")).toBe("-meter"));
  fireEvent.click(screen.getByRole("button", { name: /^Cost/ }));
  await waitFor(() => expect(window.location.search).toBe("?sort=cost"));
  expect(screen.getByRole("columnheader", { name: /^Cost/ })).toHaveAttribute("aria-sort", "ascending");
});

test("a page from the URL: page numbers with first and last, and the totals of the note search", async () => {
  window.history.replaceState(null, "", "/records?q=tap&page=5&per_page=10&sort=-amount&type=water&type=bogus");
  server.use(
    http.get(`${API}/api/records`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      listed.push(query);
      return HttpResponse.json({ items: rows, page: Number(query.get("page")), per_page: 10, total: 95, pages: 10 });
    }),
  );
  renderInHousehold(<RecordsPage />);
  await table();
  expect(listed.map((query) => query.toString())).toEqual(["sort=-amount&page=5&per_page=10&type=water&q=tap&household_id=1"]);
  expect(screen.getByLabelText("Note contains")).toHaveValue("tap");
  // The footer's totals are the summary of the same search (the records whose note contains "tap").
  await waitFor(() =>
    expect(screen.getByTestId("records-footer")).toHaveTextContent(
      "95 records · Water 1.5 m³ · Cost $12.25 (costs entered on these records, no tariff charges)",
    ),
  );
  expect(totalsAsked.map((query) => query.toString())).toEqual([
    "group_by=type&type=water&date_from=1900-01-01&date_to=2999-12-31&q=tap&household_id=1",
  ]);

  const pager = screen.getByRole("navigation", { name: "Pagination" });
  expect(
    within(pager)
      .getAllByRole("button")
      .map((button) => button.getAttribute("aria-label")),
  ).toEqual([
    "First page",
    "Previous page",
    "Page 1",
    "Page 3",
    "Page 4",
    "Page 5",
    "Page 6",
    "Page 7",
    "Page 10",
    "Next page",
    "Last page",
  ]);
  expect(within(pager).getByRole("button", { name: "Page 5" })).toHaveAttribute("aria-current", "page");

  fireEvent.click(within(pager).getByRole("button", { name: "Last page" }));
  await waitFor(() => expect(window.location.search).toBe("?type=water&q=tap&sort=-amount&page=10&per_page=10"));
  await waitFor(() => expect(listed.at(-1)?.get("page")).toBe("10"));
});

test("on a phone the filters fold behind Filters (n), and records are cards that open for editing when tapped", async () => {
  const original = window.matchMedia;
  window.matchMedia = ((query: string) => ({
    matches: query === "(max-width: 639px)",
    media: query,
    addEventListener() {},
    removeEventListener() {},
  })) as unknown as typeof window.matchMedia;
  try {
    window.history.replaceState(null, "", "/records?type=water&type=gas&date_from=2026-01-01");
    renderInHousehold(<RecordsPage />);
    const cards = await screen.findByTestId("records-cards");
    expect(screen.queryByTestId("records-table")).not.toBeInTheDocument();
    expect(screen.queryByRole("search", { name: "Filter records" })).not.toBeInTheDocument();
    const toggle = screen.getByRole("button", { name: "Filters (3)" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");

    fireEvent.click(toggle);
    expect(screen.getByRole("search", { name: "Filter records" })).toBeInTheDocument();
    expect(screen.getByLabelText("From")).toHaveValue("2026-01-01");

    fireEvent.click(within(cards).getByRole("button", { name: "Edit record of 2026-03-02 (Water)" }));
    expect(await screen.findByRole("dialog", { name: "Edit record" })).toBeInTheDocument();
  } finally {
    window.matchMedia = original;
  }
});

test("the first-run links open the record form or the import, and leave the URL clean", async () => {
  window.history.replaceState(null, "", "/records?new=1");
  const { unmount } = renderInHousehold(<RecordsPage />);
  expect(await screen.findByRole("dialog", { name: "Add record" })).toBeInTheDocument();
  expect(window.location.search).toBe("");
  unmount();

  window.history.replaceState(null, "", "/records?import=1&type=water");
  renderInHousehold(<RecordsPage />);
  expect(await screen.findByRole("dialog", { name: "Import records from CSV" })).toBeInTheDocument();
  expect(window.location.search).toBe("?type=water");
});

test("while the next page loads the current rows stay, dimmed under a spinner", async () => {
  let release: () => void = () => {};
  server.use(
    http.get(`${API}/api/records`, async ({ request }) => {
      const page = Number(new URL(request.url).searchParams.get("page"));
      if (page === 2) await new Promise<void>((done) => (release = done));
      const items = [record(page, `2026-03-0${page}`, page)];
      return HttpResponse.json({ items, page, per_page: 20, total: 40, pages: 2 });
    }),
  );
  renderInHousehold(<RecordsPage />);
  const shown = await table();
  fireEvent.click(screen.getByRole("button", { name: "Next page" }));

  const busy = await screen.findByRole("status");
  expect(busy).toHaveTextContent("Loading records…");
  expect(shown.closest("[aria-busy]")).toHaveAttribute("aria-busy", "true");
  expect(within(shown).getByText("03/01/2026")).toBeInTheDocument();

  release();
  expect(await within(await table()).findByText("03/02/2026")).toBeInTheDocument();
  expect(screen.queryByText("Loading records…")).not.toBeInTheDocument();
  expect(window.location.search).toBe("?page=2");
});
