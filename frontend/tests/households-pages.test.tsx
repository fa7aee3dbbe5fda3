import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { AcceptInvitation } from "@/features/households/components/accept-invitation";
import { HouseholdDetail } from "@/features/households/components/household-detail";
import { HouseholdsPage } from "@/features/households/components/households-page";
import { SharedDashboard } from "@/features/households/components/shared-dashboard";
import { HOUSEHOLD_STORAGE_KEY } from "@/lib/household";

import { API, error, HOME, household, server, USER } from "./support/api";
import { renderInHousehold, renderSignedIn, renderWithProviders } from "./support/render";

const push = jest.fn();
const replace = jest.fn();
let search = new URLSearchParams();
jest.mock("next/navigation", () => ({
  useRouter: () => ({ replace, push }),
  usePathname: () => "/households",
  useSearchParams: () => search,
}));

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  push.mockReset();
  replace.mockReset();
  search = new URLSearchParams();
  window.localStorage.clear();
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

test("the list shows each household with the user's role; a new one is created with the user's defaults and opened", async () => {
  let items = [HOME, household(2, "Cabin", "viewer", { member_count: 3, currency: "EUR", timezone: "Europe/Paris" })];
  let sent: unknown = null;
  server.use(
    http.get(`${API}/api/households`, () => HttpResponse.json({ items })),
    http.post(`${API}/api/households`, async ({ request }) => {
      sent = await request.json();
      const created = household(3, "Office", "owner");
      items = [...items, created];
      return HttpResponse.json(created, { status: 201 });
    }),
  );
  const person = userEvent.setup();
  renderInHousehold(<HouseholdsPage />);
  const list = await screen.findByTestId("households-list");
  expect(
    within(list)
      .getAllByRole("listitem")
      .map((item) => item.textContent),
  ).toEqual(["HomeOwner · 1 member · USD · UTCCurrent", "CabinViewer · 3 members · EUR · Europe/ParisSwitch to"]);

  await person.click(screen.getByRole("button", { name: "New household" }));
  const dialog = screen.getByRole("dialog", { name: "New household" });
  await person.clear(within(dialog).getByLabelText("Billing day"));
  await person.type(within(dialog).getByLabelText("Billing day"), "29");
  await person.click(within(dialog).getByRole("button", { name: "Create household" }));
  expect(await within(dialog).findByText("Name is required")).toBeInTheDocument();
  expect(within(dialog).getByText("Billing day is 1 to 28")).toBeInTheDocument();
  expect(sent).toBeNull();

  await person.type(within(dialog).getByLabelText("Name"), "Office");
  await person.clear(within(dialog).getByLabelText("Billing day"));
  await person.type(within(dialog).getByLabelText("Billing day"), "15");
  await person.click(within(dialog).getByRole("button", { name: "Create household" }));
  await waitFor(() => expect(push).toHaveBeenCalledWith("/households/3"));
  expect(sent).toEqual({ name: "Office", timezone: USER.preferences.timezone, currency: USER.preferences.currency, billing_day: 15 });
  expect(await screen.findByText("Office")).toBeInTheDocument();
});

test("switching from the list makes that household current and remembers it", async () => {
  server.use(http.get(`${API}/api/households`, () => HttpResponse.json({ items: [HOME, household(2, "Cabin", "editor")] })));
  const person = userEvent.setup();
  renderInHousehold(<HouseholdsPage />);
  await person.click(await screen.findByRole("button", { name: "Switch to Cabin" }));
  expect(await screen.findByRole("button", { name: "Switch to Home" })).toBeInTheDocument();
  expect(window.localStorage.getItem(HOUSEHOLD_STORAGE_KEY)).toBe("2");
});

function ownerHandlers() {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const record = async (request: Request) => {
    const url = new URL(request.url);
    calls.push({ method: request.method, url: url.pathname + url.search, body: request.method === "DELETE" ? null : await request.json() });
  };
  let links: { id: number; label: string; created_at: string; expires_at: string | null }[] = [
    { id: 5, label: "Landlord", created_at: "2026-02-01T00:00:00+00:00", expires_at: null },
  ];
  server.use(
    http.get(`${API}/api/households/1`, () => HttpResponse.json({ ...HOME, member_count: 2 })),
    http.get(`${API}/api/households/1/members`, () =>
      HttpResponse.json({
        items: [
          { user_id: USER.id, name: "Ada", email: USER.email, role: "owner", joined_at: "2026-01-01T00:00:00+00:00" },
          { user_id: 7, name: "Grace", email: "grace@example.com", role: "editor", joined_at: "2026-02-01T00:00:00+00:00" },
        ],
      }),
    ),
    http.patch(`${API}/api/households/1/members/7`, async ({ request }) => {
      await record(request);
      return HttpResponse.json({
        user_id: 7,
        name: "Grace",
        email: "grace@example.com",
        role: "viewer",
        joined_at: "2026-02-01T00:00:00+00:00",
      });
    }),
    http.get(`${API}/api/households/1/invitations`, () => HttpResponse.json({ items: [] })),
    http.post(`${API}/api/households/1/invitations`, async ({ request }) => {
      await record(request);
      return error(409, "conflict", "This person is already a member of the household.");
    }),
    http.get(`${API}/api/households/1/share-links`, () => HttpResponse.json({ items: links })),
    http.post(`${API}/api/households/1/share-links`, async ({ request }) => {
      await record(request);
      const created = { id: 6, label: "Neighbours", created_at: "2026-03-01T00:00:00+00:00", expires_at: "2026-12-31T23:59:59+00:00" };
      links = [...links, created];
      return HttpResponse.json({ ...created, token: "s3cr3t", url: "http://localhost:3000/shared/s3cr3t" }, { status: 201 });
    }),
    http.delete(`${API}/api/households/1/share-links/5`, async ({ request }) => {
      await record(request);
      links = links.filter((link) => link.id !== 5);
      return new HttpResponse(null, { status: 204 });
    }),
    http.delete(`${API}/api/households/1`, async ({ request }) => {
      await record(request);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return calls;
}

test("the owner changes a role, sees a refused invitation under the form, creates a share link shown once, revokes another", async () => {
  const calls = ownerHandlers();
  const person = userEvent.setup();
  renderInHousehold(<HouseholdDetail id={1} />);
  expect(await screen.findByText("grace@example.com")).toBeInTheDocument();

  await person.selectOptions(screen.getByLabelText("Role of Grace"), "viewer");
  await waitFor(() => expect(calls).toEqual([{ method: "PATCH", url: "/api/households/1/members/7", body: { role: "viewer" } }]));

  await person.type(screen.getByLabelText("E-mail to invite"), "grace@example.com");
  await person.click(screen.getByRole("button", { name: "Invite" }));
  expect(await screen.findByText("This person is already a member of the household.")).toBeInTheDocument();
  expect(screen.getAllByText("This person is already a member of the household.")).toHaveLength(1);
  expect(calls[1]).toEqual({ method: "POST", url: "/api/households/1/invitations", body: { email: "grace@example.com", role: "editor" } });

  await person.type(screen.getByLabelText("Label"), "Neighbours");
  await person.type(screen.getByLabelText("Expires on (optional)"), "2026-12-31");
  await person.click(screen.getByRole("button", { name: "Create link" }));
  expect(await screen.findByTestId("share-link-url")).toHaveValue("http://localhost:3000/shared/s3cr3t");
  expect(calls[2]).toEqual({
    method: "POST",
    url: "/api/households/1/share-links",
    body: { label: "Neighbours", expires_at: "2026-12-31T23:59:59Z" },
  });
  const list = await screen.findByTestId("share-links");
  await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(2));
  // The list never shows a token; once dismissed, the address is gone for good.
  expect(within(list).queryByText(/s3cr3t/)).not.toBeInTheDocument();
  await person.click(screen.getByRole("button", { name: "Done" }));
  expect(screen.queryByTestId("share-link-url")).not.toBeInTheDocument();
  expect(screen.queryByText(/s3cr3t/)).not.toBeInTheDocument();

  await person.click(screen.getByRole("button", { name: "Revoke the link Landlord" }));
  await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(1));
  expect(calls[3]).toEqual({ method: "DELETE", url: "/api/households/1/share-links/5", body: null });
});

test("deleting takes the household's exact name, sent as confirm", async () => {
  const calls = ownerHandlers();
  const person = userEvent.setup();
  renderInHousehold(<HouseholdDetail id={1} />);
  await person.click(await screen.findByRole("button", { name: "Delete household" }));
  const dialog = screen.getByRole("dialog", { name: "Delete household" });
  const confirm = within(dialog).getByRole("button", { name: "Delete for everyone" });
  expect(confirm).toBeDisabled();
  await person.type(within(dialog).getByLabelText("Type “Home” to confirm"), "home");
  expect(confirm).toBeDisabled();
  await person.clear(within(dialog).getByLabelText("Type “Home” to confirm"));
  await person.type(within(dialog).getByLabelText("Type “Home” to confirm"), "Home");
  await person.click(confirm);
  await waitFor(() => expect(replace).toHaveBeenCalledWith("/households"));
  expect(calls).toEqual([{ method: "DELETE", url: "/api/households/1?confirm=Home", body: null }]);
});

test("a household the user is not a member of shows the API's 404 without a retry", async () => {
  server.use(http.get(`${API}/api/households/9`, () => error(404, "not_found", "No such household.")));
  renderInHousehold(<HouseholdDetail id={9} />);
  expect(await screen.findByText("No such household.")).toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
});

test("accepting an invitation joins once and makes the household current; a refusal shows the API's reason", async () => {
  search = new URLSearchParams("token=good");
  let accepted = 0;
  const cabin = household(2, "Cabin", "editor");
  let items = [HOME];
  server.use(
    http.get(`${API}/api/households`, () => HttpResponse.json({ items })),
    http.post(`${API}/api/invitations/accept`, async ({ request }) => {
      const { token } = (await request.json()) as { token: string };
      if (token !== "good") return error(403, "forbidden", "This invitation was sent to another e-mail address.");
      accepted += 1;
      items = [HOME, cabin];
      return HttpResponse.json(cabin);
    }),
  );
  const person = userEvent.setup();
  const first = renderInHousehold(<AcceptInvitation />);
  await person.click(await screen.findByRole("button", { name: "Join household" }));
  expect(await screen.findByText("You joined Cabin.")).toBeInTheDocument();
  expect(replace).toHaveBeenCalledWith("/dashboard");
  expect(accepted).toBe(1);
  await waitFor(() => expect(window.localStorage.getItem(HOUSEHOLD_STORAGE_KEY)).toBe("2"));
  first.unmount();

  search = new URLSearchParams("token=other");
  renderInHousehold(<AcceptInvitation />);
  await person.click(await screen.findByRole("button", { name: "Join household" }));
  expect(await screen.findByText("This invitation was sent to another e-mail address.")).toBeInTheDocument();
  expect(accepted).toBe(1);
});

test("the shared dashboard shows the household's figures without a session; a revoked link says so", async () => {
  const asked: string[] = [];
  server.use(
    http.get(`${API}/api/shared/tok1`, () =>
      HttpResponse.json({
        household: { name: "Flat 4", timezone: "UTC", currency: "EUR" },
        meters: [{ id: 3, name: "Mains", type: "electricity", unit: "kWh" }],
      }),
    ),
    http.get(`${API}/api/shared/tok1/analytics/summary`, ({ request }) => {
      asked.push(new URL(request.url).searchParams.get("group_by") ?? "");
      return HttpResponse.json({
        groups: [
          {
            key: "electricity",
            label: "Electricity",
            unit: "kWh",
            total: 42.5,
            previous_total: 40,
            change_pct: 6.25,
            cost_total: 12.3,
            count: 3,
            average_per_day: 1.4,
            min: 10,
            max: 20,
          },
        ],
        period: { from: "2026-03-01", to: "2026-03-31" },
        previous_period: { from: "2026-02-01", to: "2026-02-28" },
      });
    }),
    http.get(`${API}/api/shared/tok1/analytics/timeseries`, () =>
      HttpResponse.json({
        granularity: "month",
        period: { from: "2025-04-01", to: "2026-03-31" },
        series: [
          {
            key: "electricity",
            label: "Electricity",
            unit: "kWh",
            points: [{ period_start: "2026-03-01", total: 42.5, cost: 12.3, count: 3 }],
          },
        ],
      }),
    ),
    http.get(`${API}/api/shared/gone`, () => error(404, "not_found", "Not found.")),
  );
  const first = renderWithProviders(<SharedDashboard token="tok1" />);
  expect(await screen.findByRole("heading", { name: "Flat 4" })).toBeInTheDocument();
  const kpi = await screen.findByTestId("shared-kpi-electricity");
  expect(kpi).toHaveTextContent("42.5 kWh");
  expect(kpi).toHaveTextContent("Cost: €12.30");
  expect(asked).toEqual(["type"]);
  expect(await screen.findByRole("cell", { name: "2026-03" })).toBeInTheDocument();
  first.unmount();

  renderWithProviders(<SharedDashboard token="gone" />);
  expect(await screen.findByText("This link does not work")).toBeInTheDocument();
});

test("a visitor without a session keeps the shared dashboard's requests when the session restore is refused", async () => {
  server.use(
    http.post(`${API}/api/auth/refresh`, () => error(401, "unauthorized", "Missing refresh token.")),
    // The household arrives after the refusal (which ends the would-be session and clears account data).
    http.get(`${API}/api/shared/slow`, async () => {
      await new Promise((done) => setTimeout(done, 150));
      return HttpResponse.json({ household: { name: "Slow flat", timezone: "UTC", currency: "USD" }, meters: [] });
    }),
    http.get(`${API}/api/shared/slow/analytics/summary`, () =>
      HttpResponse.json({
        groups: [],
        period: { from: "2026-03-01", to: "2026-03-31" },
        previous_period: { from: "2026-02-01", to: "2026-02-28" },
      }),
    ),
    http.get(`${API}/api/shared/slow/analytics/timeseries`, () =>
      HttpResponse.json({ granularity: "month", period: { from: "2025-04-01", to: "2026-03-31" }, series: [] }),
    ),
  );
  renderSignedIn(<SharedDashboard token="slow" />);
  expect(await screen.findByRole("heading", { name: "Slow flat" })).toBeInTheDocument();
  expect(await screen.findByText("No consumption in this period")).toBeInTheDocument();
});
