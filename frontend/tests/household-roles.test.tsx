import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import { Dashboard } from "@/features/analytics/components/dashboard";
import { HouseholdDetail } from "@/features/households/components/household-detail";
import { MetersPage } from "@/features/meters/components/meters-page";
import { RecordsPage } from "@/features/records/components/records-page";
import type { Schema } from "@/lib/api-client";

import { API, household, meter, server, USER, type HouseholdItem } from "./support/api";
import { renderInHousehold } from "./support/render";

jest.mock("next/navigation", () => ({
  useRouter: () => ({ replace: jest.fn(), push: jest.fn() }),
  usePathname: () => "/households/1",
  useSearchParams: () => new URLSearchParams(),
}));

const RECORD: Schema<"RecordOut"> = {
  id: 1,
  household_id: 1,
  meter_id: 2,
  meter_name: "Water",
  created_by: 1,
  type: "water",
  unit: "m3",
  date: "2026-03-02",
  amount: 1.5,
  cost: null,
  note: null,
  attachment_ids: [],
  created_at: "2026-03-01T00:00:00+00:00",
  updated_at: "2026-03-01T00:00:00+00:00",
};

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function asMember(role: HouseholdItem["role"]) {
  const shared = household(1, "Flat", role, { member_count: 2 });
  server.use(
    http.get(`${API}/api/households`, () => HttpResponse.json({ items: [shared] })),
    http.get(`${API}/api/households/1`, () => HttpResponse.json(shared)),
    http.get(`${API}/api/households/1/members`, () =>
      HttpResponse.json({
        items: [
          { user_id: 7, name: "Grace", email: "grace@example.com", role: "owner", joined_at: "2026-01-01T00:00:00+00:00" },
          { user_id: USER.id, name: USER.name, email: USER.email, role, joined_at: "2026-02-01T00:00:00+00:00" },
        ],
      }),
    ),
    http.get(`${API}/api/households/1/invitations`, () => HttpResponse.json({ items: [] })),
    http.get(`${API}/api/households/1/share-links`, () => HttpResponse.json({ items: [] })),
    http.get(`${API}/api/meters`, () => HttpResponse.json({ items: [meter(2, "Water", "water", "m3")] })),
    http.get(`${API}/api/records`, () => HttpResponse.json({ items: [RECORD], page: 1, per_page: 20, total: 1, pages: 1 })),
  );
}

const METER_WRITES = ["Add meter", "Edit Water", "Archive Water", "Delete Water"];
const RECORD_WRITES = ["Add record", "Import CSV", "Edit record of 2026-03-02 (Water)", "Delete record of 2026-03-02 (Water)"];

function buttonNames(): string[] {
  return screen.queryAllByRole("button").map((button) => button.getAttribute("aria-label") ?? button.textContent ?? "");
}

test("a viewer sees the meters but no button that would change them", async () => {
  asMember("viewer");
  renderInHousehold(<MetersPage />);
  expect(await screen.findByText("Water")).toBeInTheDocument();
  expect(buttonNames().filter((name) => METER_WRITES.includes(name))).toEqual([]);
});

test("an editor gets every meter write control", async () => {
  asMember("editor");
  renderInHousehold(<MetersPage />);
  expect(await screen.findByText("Water")).toBeInTheDocument();
  expect(buttonNames().filter((name) => METER_WRITES.includes(name))).toEqual(METER_WRITES);
});

test("a viewer reads the records (and may export them) but cannot add, import, edit or delete", async () => {
  asMember("viewer");
  renderInHousehold(<RecordsPage />);
  const rows = within(await screen.findByTestId("records-table")).getAllByRole("row");
  expect(rows[1]).toHaveTextContent("03/02/2026Water1.50 m³");
  expect(buttonNames().filter((name) => RECORD_WRITES.includes(name))).toEqual([]);
  expect(screen.getByRole("button", { name: "Export CSV" })).toBeInTheDocument();
});

test("an editor gets every record write control", async () => {
  asMember("editor");
  renderInHousehold(<RecordsPage />);
  await screen.findByTestId("records-table");
  expect(buttonNames().filter((name) => RECORD_WRITES.includes(name))).toEqual(RECORD_WRITES);
});

function onPhone(): () => void {
  const original = window.matchMedia;
  window.matchMedia = ((query: string) => ({
    matches: query === "(max-width: 639px)",
    media: query,
    addEventListener() {},
    removeEventListener() {},
  })) as unknown as typeof window.matchMedia;
  return () => {
    window.matchMedia = original;
  };
}

test("on a phone a viewer's record cards are read only: no tap to edit, no delete", async () => {
  const restore = onPhone();
  try {
    asMember("viewer");
    renderInHousehold(<RecordsPage />);
    const cards = await screen.findByTestId("records-cards");
    expect(cards).toHaveTextContent("Water");
    expect(within(cards).queryAllByRole("button")).toEqual([]);
  } finally {
    restore();
  }
});

test("an editor's record cards on a phone open for editing and offer Delete", async () => {
  const restore = onPhone();
  try {
    asMember("editor");
    renderInHousehold(<RecordsPage />);
    const cards = await screen.findByTestId("records-cards");
    expect(
      within(cards)
        .getAllByRole("button")
        .map((button) => button.getAttribute("aria-label")),
    ).toEqual(["Edit record of 2026-03-02 (Water)", "Delete record of 2026-03-02 (Water)"]);
  } finally {
    restore();
  }
});

test("the first-run links open nothing for a viewer, and leave the URL", async () => {
  asMember("viewer");
  window.history.replaceState(null, "", "/records?new=1");
  renderInHousehold(<RecordsPage />);
  await screen.findByTestId("records-table");
  await waitFor(() => expect(window.location.search).toBe(""));
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  window.history.replaceState(null, "", "/");
});

test("an empty household's dashboard offers a viewer no first steps", async () => {
  asMember("viewer");
  server.use(http.get(`${API}/api/records`, () => HttpResponse.json({ items: [], page: 1, per_page: 1, total: 0, pages: 0 })));
  renderInHousehold(<Dashboard />);
  const empty = await screen.findByTestId("first-run");
  expect(empty).toHaveTextContent("This household has no readings yet.");
  expect(screen.queryAllByRole("link")).toEqual([]);
});

const OWNER_CARDS = ["Settings", "Members", "Invitations", "Share links", "Delete household"];

test.each([
  ["viewer", ["Settings", "Members"]],
  ["editor", ["Settings", "Members"]],
  ["owner", OWNER_CARDS],
] as const)("the household page of a %s shows %j", async (role, cards) => {
  asMember(role);
  renderInHousehold(<HouseholdDetail id={1} />);
  expect(await screen.findByText("grace@example.com")).toBeInTheDocument();
  expect(screen.getAllByRole("heading", { level: 2 }).map((heading) => heading.textContent)).toEqual(cards);
  const owner = role === "owner";
  // Only the owner edits the settings and the roles, and removes others; anyone may leave.
  expect(screen.getByLabelText("Name")).toHaveProperty("disabled", !owner);
  expect(screen.queryByRole("button", { name: "Save settings" }) !== null).toBe(owner);
  expect(screen.queryByLabelText("Role of Grace") !== null).toBe(owner);
  expect(screen.queryByRole("button", { name: "Remove Grace" }) !== null).toBe(owner);
  expect(screen.getByRole("button", { name: "Leave this household" })).toBeInTheDocument();
});
