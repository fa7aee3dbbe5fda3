import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { SettingsPage } from "@/features/settings/components/settings-page";

import { API, error, server, USER } from "./support/api";
import { renderSignedIn } from "./support/render";

// The suite runs beside others on a busy machine: give the pages time to answer.
configure({ asyncUtilTimeout: 5000 });

jest.mock("next/navigation", () => ({
  useRouter: () => ({ replace: jest.fn(), push: jest.fn() }),
  usePathname: () => "/settings",
}));

let patched: unknown[];
let notifyEmail: Record<string, boolean>;

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  patched = [];
  notifyEmail = { "usage.anomaly": false };
  server.use(
    http.post(`${API}/api/auth/refresh`, () =>
      HttpResponse.json({
        access_token: "tok",
        refresh_token: "r",
        token_type: "Bearer",
        expires_in: 900,
        user: { ...USER, preferences: { ...USER.preferences, notify_email: notifyEmail } },
      }),
    ),
    http.patch(`${API}/api/auth/me`, async ({ request }) => {
      const body = (await request.json()) as { preferences: { notify_email: Record<string, boolean> } };
      patched.push(body);
      notifyEmail = { ...notifyEmail, ...body.preferences.notify_email };
      return HttpResponse.json({ ...USER, preferences: { ...USER.preferences, notify_email: notifyEmail } });
    }),
  );
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

test("one switch per kind, on unless turned off; a change is sent at once and kept", async () => {
  const person = userEvent.setup();
  renderSignedIn(<SettingsPage />);
  const card = (await screen.findByRole("heading", { name: "E-mail notifications" })).closest("section")!;
  const switches = within(card).getAllByRole("switch");
  expect(switches.map((item) => [item.dataset.kind, (item as HTMLInputElement).checked])).toEqual([
    ["budget.threshold", true],
    ["budget.forecast", true],
    ["usage.anomaly", false],
    ["reading.overdue", true],
    ["token.expiring", true],
    ["invitation.accepted", true],
    ["webhook.disabled", true],
  ]);
  await person.click(within(card).getByRole("switch", { name: "A budget's forecast goes over its limit" }));
  await waitFor(() => expect(within(card).getByRole("switch", { name: "A budget's forecast goes over its limit" })).not.toBeChecked());
  await person.click(within(card).getByRole("switch", { name: "A day's consumption is far above usual" }));
  await waitFor(() => expect(within(card).getByRole("switch", { name: "A day's consumption is far above usual" })).toBeChecked());
  expect(patched).toEqual([
    { preferences: { notify_email: { "budget.forecast": false } } },
    { preferences: { notify_email: { "usage.anomaly": true } } },
  ]);
});

test("a refused change shows the API's message and leaves the switch as it was", async () => {
  server.use(http.patch(`${API}/api/auth/me`, () => error(422, "validation_error", "Unknown notification kind.")));
  const person = userEvent.setup();
  renderSignedIn(<SettingsPage />);
  const toggle = await screen.findByRole("switch", { name: "A meter is due a reading" });
  await person.click(toggle);
  expect(await screen.findByText("Unknown notification kind.")).toBeInTheDocument();
  expect(screen.getByRole("switch", { name: "A meter is due a reading" })).toBeChecked();
});
