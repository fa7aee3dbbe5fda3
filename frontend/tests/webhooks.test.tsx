import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { HouseholdDetail } from "@/features/households/components/household-detail";
import type { Delivery, Webhook } from "@/features/webhooks/api/webhooks";
import { WebhooksCard } from "@/features/webhooks/components/webhooks-card";

import { API, error, HOME, household, server, USER } from "./support/api";
import { renderInHousehold } from "./support/render";

// The suite runs beside others on a busy machine: give the pages time to answer.
configure({ asyncUtilTimeout: 5000 });

jest.mock("next/navigation", () => ({
  useRouter: () => ({ replace: jest.fn(), push: jest.fn() }),
  usePathname: () => "/households/1",
}));

const HOOKS = `${API}/api/households/1/webhooks`;

function webhook(id: number, extra: Partial<Webhook> = {}): Webhook {
  return {
    id,
    url: `https://hooks.example.com/${id}`,
    events: ["record.created", "budget.threshold"],
    description: "Home Assistant",
    enabled: true,
    consecutive_failures: 0,
    created_at: "2026-11-01T00:00:00+00:00",
    ...extra,
  };
}

function delivery(id: number, extra: Partial<Delivery> = {}): Delivery {
  return {
    id,
    delivery_id: `d-${id}`,
    event: "record.created",
    status: "delivered",
    attempt: 1,
    status_code: 200,
    error: null,
    created_at: "2026-11-27T10:00:00Z",
    next_attempt_at: null,
    delivered_at: "2026-11-27T10:00:01Z",
    ...extra,
  };
}

let hooks: Webhook[];
let deliveries: Delivery[];
let requests: { method: string; path: string; body?: unknown }[];

async function record(request: Request) {
  const text = await request.text();
  requests.push({ method: request.method, path: new URL(request.url).pathname, ...(text ? { body: JSON.parse(text) } : {}) });
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  requests = [];
  hooks = [webhook(1)];
  deliveries = [
    delivery(3, {
      event: "webhook.test",
      status: "pending",
      attempt: 2,
      status_code: 500,
      error: "The receiver answered 500",
      next_attempt_at: "2026-11-27T10:35:00Z",
      delivered_at: null,
    }),
    delivery(2, { status: "failed", attempt: 6, status_code: null, error: "Connection refused", delivered_at: null }),
    delivery(1),
  ];
  server.use(
    http.get(HOOKS, () => HttpResponse.json({ items: hooks })),
    http.post(HOOKS, async ({ request }) => {
      await record(request);
      const body = requests.at(-1)!.body as Webhook;
      const created = { ...webhook(2, body), secret: "whsec_0123456789abcdef" };
      hooks = [...hooks, webhook(2, body)];
      return HttpResponse.json(created, { status: 201 });
    }),
    http.patch(`${HOOKS}/:id`, async ({ request, params }) => {
      await record(request);
      hooks = hooks.map((item) => (String(item.id) === params.id ? { ...item, ...(requests.at(-1)!.body as object) } : item));
      return HttpResponse.json(hooks.find((item) => String(item.id) === params.id));
    }),
    http.delete(`${HOOKS}/:id`, async ({ request, params }) => {
      await record(request);
      hooks = hooks.filter((item) => String(item.id) !== params.id);
      return new HttpResponse(null, { status: 204 });
    }),
    http.get(`${HOOKS}/:id/deliveries`, () => HttpResponse.json({ items: deliveries })),
    http.post(`${HOOKS}/:id/test`, async ({ request }) => {
      await record(request);
      const queued = delivery(4, {
        event: "webhook.test",
        status: "pending",
        attempt: 0,
        status_code: null,
        next_attempt_at: "2026-11-27T11:00:00Z",
        delivered_at: null,
      });
      deliveries = [queued, ...deliveries];
      return HttpResponse.json(queued, { status: 202 });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function cells(row: HTMLElement): string[] {
  return within(row)
    .getAllByRole("cell")
    .map((cell) => cell.textContent ?? "");
}

test("a new webhook is checked, shows the API's refusal under the URL, then its secret once", async () => {
  const person = userEvent.setup();
  renderInHousehold(<WebhooksCard householdId={1} />);
  await screen.findByTestId("webhook-1");
  await person.click(screen.getByRole("button", { name: "Add webhook" }));
  let dialog = screen.getByRole("dialog", { name: "Add webhook" });
  await person.type(within(dialog).getByLabelText("Payload URL"), "hooks.example.com");
  await person.click(within(dialog).getByRole("button", { name: "Add webhook" }));
  expect(await within(dialog).findByText("Enter a full address, such as https://example.com/hooks/meterbook")).toBeInTheDocument();
  expect(within(dialog).getByText("Choose at least one event")).toBeInTheDocument();
  expect(requests).toEqual([]);

  server.use(
    http.post(HOOKS, async ({ request }) => {
      await record(request);
      return error(422, "validation_error", "Some fields are not valid.", [
        { loc: ["body", "url"], msg: "Value error, the address resolves to a private network (10.0.0.5)", type: "value_error" },
      ]);
    }),
  );
  await person.clear(within(dialog).getByLabelText("Payload URL"));
  await person.type(within(dialog).getByLabelText("Payload URL"), "https://10.0.0.5/hook");
  await person.click(within(dialog).getByLabelText("budget.threshold"));
  await person.click(within(dialog).getByRole("button", { name: "Add webhook" }));
  expect(await within(dialog).findByText("the address resolves to a private network (10.0.0.5)")).toBeInTheDocument();
  expect(within(dialog).getAllByRole("alert")).toHaveLength(1);
  server.resetHandlers();
  server.use(
    http.get(HOOKS, () => HttpResponse.json({ items: hooks })),
    http.post(HOOKS, async ({ request }) => {
      await record(request);
      const body = requests.at(-1)!.body as Webhook;
      hooks = [...hooks, webhook(2, body)];
      return HttpResponse.json({ ...webhook(2, body), secret: "whsec_0123456789abcdef" }, { status: 201 });
    }),
  );

  await person.clear(within(dialog).getByLabelText("Payload URL"));
  await person.type(within(dialog).getByLabelText("Payload URL"), "https://hooks.example.com/new");
  await person.type(within(dialog).getByLabelText("Description"), "Alerts to the phone");
  await person.click(within(dialog).getByLabelText("usage.anomaly"));
  await person.click(within(dialog).getByRole("button", { name: "Add webhook" }));
  await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  expect(requests.map((item) => item.body)).toEqual([
    { url: "https://10.0.0.5/hook", events: ["budget.threshold"], description: "" },
    { url: "https://hooks.example.com/new", events: ["budget.threshold", "usage.anomaly"], description: "Alerts to the phone" },
  ]);
  expect(screen.getByRole("status")).toHaveTextContent("Copy its signing secret now: it is shown only once.");
  expect(screen.getByLabelText("Signing secret")).toHaveValue("whsec_0123456789abcdef");
  expect(await screen.findByTestId("webhook-2")).toHaveTextContent("budget.threshold, usage.anomaly");

  await person.click(screen.getByRole("button", { name: "Done" }));
  expect(screen.queryByLabelText("Signing secret")).not.toBeInTheDocument();
  expect(screen.queryByText(/whsec_/)).not.toBeInTheDocument();
  // A new form starts empty, and the secret does not come back.
  await person.click(screen.getByRole("button", { name: "Add webhook" }));
  dialog = screen.getByRole("dialog", { name: "Add webhook" });
  expect(within(dialog).getByLabelText("Payload URL")).toHaveValue("");
  expect(screen.queryByLabelText("Signing secret")).not.toBeInTheDocument();
});

test("the delivery log shows each delivery's event, outcome, code, attempt, timing and error", async () => {
  const person = userEvent.setup();
  renderInHousehold(<WebhooksCard householdId={1} />);
  await person.click(await screen.findByRole("button", { name: "Deliveries" }));
  const table = await screen.findByRole("table", { name: "Deliveries" });
  const when = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" }).format(new Date(iso));
  expect(cells(within(table).getByTestId("delivery-3"))).toEqual([
    "webhook.test",
    "Retrying",
    "500",
    "2",
    `Next attempt ${when("2026-11-27T10:35:00Z")}`,
    "The receiver answered 500",
  ]);
  expect(cells(within(table).getByTestId("delivery-2"))).toEqual([
    "record.created",
    "Failed",
    "—",
    "6",
    "No more attempts",
    "Connection refused",
  ]);
  expect(cells(within(table).getByTestId("delivery-1"))).toEqual([
    "record.created",
    "Delivered",
    "200",
    "1",
    `Delivered ${when("2026-11-27T10:00:01Z")}`,
    "—",
  ]);
});

test("send test queues a delivery and the log shows it first", async () => {
  const person = userEvent.setup();
  renderInHousehold(<WebhooksCard householdId={1} />);
  await person.click(await screen.findByRole("button", { name: "Send test" }));
  const table = await screen.findByRole("table", { name: "Deliveries" });
  await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(5));
  expect(cells(within(table).getAllByRole("row")[1]!).slice(0, 4)).toEqual(["webhook.test", "Queued", "—", "0"]);
  expect(requests).toEqual([{ method: "POST", path: "/api/households/1/webhooks/1/test" }]);
});

test("editing sends only what changed; deleting asks first", async () => {
  const person = userEvent.setup();
  renderInHousehold(<WebhooksCard householdId={1} />);
  await person.click(await screen.findByRole("button", { name: "Edit the webhook https://hooks.example.com/1" }));
  const dialog = screen.getByRole("dialog", { name: "Edit webhook" });
  expect(within(dialog).getByLabelText("record.created")).toBeChecked();
  await person.click(within(dialog).getByLabelText("record.created"));
  await person.click(within(dialog).getByLabelText(/^Enabled/));
  await person.click(within(dialog).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  expect(await screen.findByText("Disabled")).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Send test" })).toBeDisabled();

  await person.click(screen.getByRole("button", { name: "Delete the webhook https://hooks.example.com/1" }));
  await person.click(within(screen.getByRole("dialog", { name: "Delete this webhook?" })).getByRole("button", { name: "Delete" }));
  expect(await screen.findByText("No webhooks yet.")).toBeInTheDocument();
  expect(requests).toEqual([
    { method: "PATCH", path: "/api/households/1/webhooks/1", body: { events: ["budget.threshold"], enabled: false } },
    { method: "DELETE", path: "/api/households/1/webhooks/1" },
  ]);
});

test("the household page shows the webhooks to its owner only", async () => {
  const detail = (role: "owner" | "editor") => [
    http.get(`${API}/api/households`, () => HttpResponse.json({ items: [household(1, "Home", role)] })),
    http.get(`${API}/api/households/1`, () => HttpResponse.json({ ...HOME, role })),
    http.get(`${API}/api/households/1/members`, () =>
      HttpResponse.json({ items: [{ user_id: USER.id, name: "Ada", email: USER.email, role, joined_at: "2026-01-01T00:00:00+00:00" }] }),
    ),
    http.get(`${API}/api/households/1/invitations`, () => HttpResponse.json({ items: [] })),
    http.get(`${API}/api/households/1/share-links`, () => HttpResponse.json({ items: [] })),
  ];
  server.use(...detail("owner"));
  const owner = renderInHousehold(<HouseholdDetail id={1} ownerCards={<WebhooksCard householdId={1} />} />);
  // The page is large (the time zones' select): give it time to render.
  expect(await screen.findByTestId("webhook-1", {}, { timeout: 10_000 })).toHaveTextContent("https://hooks.example.com/1");
  owner.unmount();

  server.use(...detail("editor"));
  renderInHousehold(<HouseholdDetail id={1} ownerCards={<WebhooksCard householdId={1} />} />);
  expect(await screen.findByText("Your role: Editor", {}, { timeout: 10_000 })).toBeInTheDocument();
  expect(screen.queryByText("Webhooks")).not.toBeInTheDocument();
  expect(screen.queryByTestId("webhook-1")).not.toBeInTheDocument();
});
