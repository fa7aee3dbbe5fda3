import { act, configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import type { Notification } from "@/features/notifications/api/notifications";
import { NotificationBell } from "@/features/notifications/components/notification-bell";
import { NotificationsPage } from "@/features/notifications/components/notifications-page";
import { notificationHref } from "@/features/notifications/utils/links";
import { apiClient } from "@/lib/api-client";
import { HOUSEHOLD_STORAGE_KEY } from "@/lib/household";
import { LiveProvider } from "@/lib/live";

import { API, HOME, household, server } from "./support/api";
import { renderInHousehold } from "./support/render";

// The suite runs beside others on a busy machine: give the pages time to answer.
configure({ asyncUtilTimeout: 5000 });

/** A WebSocket the test drives. */
class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send() {}
  close() {}
  push(message: object) {
    act(() => this.onmessage?.({ data: JSON.stringify(message) }));
  }
}

function notification(id: number, kind: string, extra: Partial<Notification> = {}): Notification {
  return {
    id,
    household_id: 1,
    kind,
    title: `Title ${id}`,
    body: `Body ${id}`,
    data: {},
    link: null,
    created_at: `2026-11-${String(id).padStart(2, "0")}T09:30:00+00:00`,
    read_at: null,
    ...extra,
  };
}

let notifications: Notification[];
let queries: string[];
let posts: string[];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  queries = [];
  posts = [];
  notifications = [
    notification(2, "budget.threshold", { title: "Power this month passed 80%", body: "240 kWh of 300 kWh" }),
    notification(1, "reading.overdue", { title: "Gas is due a reading", data: { meter_id: 7 }, read_at: "2026-11-02T00:00:00+00:00" }),
  ];
  window.history.replaceState(null, "", "/notifications");
  server.use(
    http.get(`${API}/api/notifications`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      queries.push(query.toString());
      const perPage = Number(query.get("per_page"));
      const all = query.get("unread") === "true" ? notifications.filter((item) => !item.read_at) : notifications;
      return HttpResponse.json({
        items: all.slice(0, perPage),
        page: 1,
        per_page: perPage,
        total: all.length,
        pages: all.length ? 1 : 0,
        unread_count: notifications.filter((item) => !item.read_at).length,
      });
    }),
    http.post(`${API}/api/notifications/read-all`, () => {
      posts.push("read-all");
      notifications = notifications.map((item) => ({ ...item, read_at: item.read_at ?? "2026-11-27T10:00:00+00:00" }));
      return HttpResponse.json({ unread_count: 0 });
    }),
    http.post(`${API}/api/notifications/:id/read`, ({ params }) => {
      posts.push(`read ${params.id}`);
      notifications = notifications.map((item) =>
        String(item.id) === params.id ? { ...item, read_at: "2026-11-27T10:00:00+00:00" } : item,
      );
      return HttpResponse.json(notifications.find((item) => String(item.id) === params.id));
    }),
  );
  globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
});
afterEach(() => {
  apiClient.setToken(null);
  window.localStorage.clear();
  server.resetHandlers();
});
afterAll(() => server.close());

test("the bell's unread count follows the notification.created live event", async () => {
  renderInHousehold(
    <LiveProvider>
      <NotificationBell />
    </LiveProvider>,
  );
  const bell = await screen.findByRole("button", { name: "Notifications, 1 unread" });
  expect(screen.getByTestId("notification-count")).toHaveTextContent(/^1$/);
  await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
  const socket = FakeSocket.all[0]!;
  act(() => socket.onopen?.());
  socket.push({ type: "ready" });

  notifications = [notification(3, "budget.forecast", { title: "Power is heading over its budget" }), ...notifications];
  socket.push({ type: "notification.created", notification: notifications[0] });
  await waitFor(() => expect(bell).toHaveAccessibleName("Notifications, 2 unread"));
  expect(screen.getByTestId("notification-count")).toHaveTextContent(/^2$/);
  expect(queries).toEqual(["page=1&per_page=5", "page=1&per_page=5"]);
});

test("the bell's dropdown lists the latest with links to their pages, and marks all read", async () => {
  const person = userEvent.setup();
  renderInHousehold(<NotificationBell />);
  await person.click(await screen.findByRole("button", { name: "Notifications, 1 unread" }));
  const panel = screen.getByRole("region", { name: "Latest notifications" });
  expect(within(panel).getByRole("link", { name: "Power this month passed 80%" })).toHaveAttribute("href", "/budgets");
  expect(within(panel).getByRole("link", { name: "Gas is due a reading" })).toHaveAttribute("href", "/readings?meter_id=7");
  expect(within(panel).getByTestId("notification-2")).toHaveAttribute("data-unread", "true");
  expect(within(panel).getByTestId("notification-2")).toHaveTextContent("Unread:");
  expect(within(panel).getByTestId("notification-1")).not.toHaveAttribute("data-unread");
  expect(within(panel).getByRole("link", { name: "All notifications" })).toHaveAttribute("href", "/notifications");

  await person.click(within(panel).getByRole("button", { name: "Mark all read" }));
  await waitFor(() => expect(screen.getByRole("button", { name: "Notifications" })).toBeInTheDocument());
  expect(screen.queryByTestId("notification-count")).not.toBeInTheDocument();
  expect(within(panel).getByText("All read")).toBeInTheDocument();
  expect(posts).toEqual(["read-all"]);

  await person.keyboard("{Escape}");
  expect(screen.queryByRole("region", { name: "Latest notifications" })).not.toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Notifications" })).toHaveFocus();
});

test("the page filters the unread ones through the URL, marks one read, then all", async () => {
  notifications = [notification(3, "usage.anomaly", { title: "Unusual day", data: { meter_id: 4 } }), ...notifications];
  const person = userEvent.setup();
  renderInHousehold(<NotificationsPage />);
  const list = await screen.findByRole("list", { name: "Notifications" });
  expect(within(list).getAllByRole("listitem")).toHaveLength(3);
  expect(within(list).getByRole("link", { name: "Unusual day" })).toHaveAttribute("href", "/meters/4");

  await person.click(screen.getByRole("button", { name: "Unread (2)" }));
  expect(window.location.search).toBe("?unread=1");
  await waitFor(() => expect(within(screen.getByRole("list", { name: "Notifications" })).getAllByRole("listitem")).toHaveLength(2));
  expect(queries).toEqual(["page=1&per_page=20", "unread=true&page=1&per_page=20"]);

  await person.click(screen.getByRole("button", { name: "Mark “Unusual day” read" }));
  await waitFor(() => expect(screen.queryByText("Unusual day")).not.toBeInTheDocument());
  expect(screen.getByRole("button", { name: "Unread (1)" })).toHaveAttribute("aria-pressed", "true");

  await person.click(screen.getByRole("button", { name: "Mark all read" }));
  expect(await screen.findByText("Nothing unread")).toBeInTheDocument();
  expect(posts).toEqual(["read 3", "read-all"]);
  expect(screen.getByRole("button", { name: "Mark all read" })).toBeDisabled();
});

test("opening a notification of another household marks it read and makes that household current", async () => {
  server.use(http.get(`${API}/api/households`, () => HttpResponse.json({ items: [HOME, household(2, "Cabin", "editor")] })));
  window.localStorage.setItem(HOUSEHOLD_STORAGE_KEY, "1");
  notifications = [notification(5, "invitation.accepted", { household_id: 2, title: "Bob joined Cabin" })];
  const person = userEvent.setup();
  renderInHousehold(<NotificationsPage />);
  const link = await screen.findByRole("link", { name: "Bob joined Cabin" });
  expect(link).toHaveAttribute("href", "/households/2");
  expect(screen.getByTestId("notification-5")).toHaveTextContent("Someone joins a household through your invitation · Cabin");
  link.addEventListener("click", (event) => event.preventDefault());
  await person.click(link);
  await waitFor(() => expect(posts).toEqual(["read 5"]));
  expect(window.localStorage.getItem(HOUSEHOLD_STORAGE_KEY)).toBe("2");
});

test("each kind links to the page it is about", () => {
  const of = (kind: string, extra: Partial<Notification> = {}) => notificationHref(notification(1, kind, extra));
  expect(of("budget.threshold")).toBe("/budgets");
  expect(of("budget.forecast")).toBe("/budgets");
  expect(of("usage.anomaly", { data: { meter_id: 3 } })).toBe("/meters/3");
  expect(of("usage.anomaly")).toBe("/dashboard");
  expect(of("reading.overdue", { data: { meter_id: 3 } })).toBe("/readings?meter_id=3");
  expect(of("token.expiring", { household_id: null })).toBe("/settings/security");
  expect(of("invitation.accepted", { household_id: 9 })).toBe("/households/9");
  expect(of("webhook.disabled", { household_id: 9 })).toBe("/households/9");
  expect(of("something.new", { household_id: null })).toBeNull();
  // The API's link wins when it is a path of the app, never another origin.
  expect(of("budget.threshold", { link: "/budgets?id=4" })).toBe("/budgets?id=4");
  expect(of("budget.threshold", { link: "//evil.example/x" })).toBe("/budgets");
  expect(of("budget.threshold", { link: "https://evil.example/" })).toBe("/budgets");
});
