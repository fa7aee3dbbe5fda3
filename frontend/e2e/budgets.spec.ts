/**
 * Budgets, alerts, notifications and webhooks against the real API (its jobs run as they are
 * queued: `JOBS_URL=immediate://` in the global setup). A budget made on a meter fills up as
 * records are added; crossing 80% raises the `budget.threshold` alert, which arrives in the
 * bell live. A webhook to an address where nothing listens shows its test delivery's error and
 * next attempt in the log. axe-core over /budgets and /notifications in both themes.
 */
import { createServer } from "node:net";

import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { apiUrl, linkIn, noHorizontalScroll, PASSWORD, signIn, today, waitForMail, webUrl } from "./support/helpers";

const email = `ada.budgets.${Date.now()}@example.com`;

async function accessible(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(
    result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`),
  ).toEqual([]);
}

async function post(request: APIRequestContext, path: string, data: unknown, token?: string) {
  const response = await request.post(apiUrl(path), { data, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return response.json();
}

/** A port nothing listens on: taken from the system, then let go. */
function closedPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

let access = "";
let meterId = 0;
let meterName = "";
let householdId = 0;

test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 900 } });

test.beforeAll(async ({ request }) => {
  await post(request, "/api/auth/register", { email, password: PASSWORD, name: "Ada Lovelace" });
  const token = new URL(linkIn(await waitForMail(email, /verif|confirm/i), "verify-email")).searchParams.get("token");
  await post(request, "/api/auth/verify-email", { token });
  const login = await post(request, "/api/auth/login", { email, password: PASSWORD });
  access = login.access_token;
  householdId = login.user.default_household_id;
  const meters = await (await request.get(apiUrl("/api/meters"), { headers: { Authorization: `Bearer ${access}` } })).json();
  const electricity = meters.items.find((meter: { type: string; unit: string }) => meter.type === "electricity" && meter.unit === "kWh");
  meterId = electricity.id;
  meterName = electricity.name;
});

test("a budget on a meter fills up, and crossing 80% rings the bell", async ({ page, request }) => {
  await signIn(page, email, PASSWORD, "/login?next=%2Fbudgets");
  await expect(page.getByRole("heading", { name: "Budgets", level: 1 })).toBeVisible();
  await expect(page.getByText("No budgets yet")).toBeVisible();
  await expect(page.getByRole("button", { name: "Notifications" })).toBeVisible();

  await page.getByRole("button", { name: "Add budget" }).click();
  const dialog = page.getByRole("dialog", { name: "Add budget" });
  await dialog.getByLabel("Name").fill("Power this month");
  await dialog.getByLabel("Meter").selectOption({ label: meterName });
  await dialog.getByLabel("Limit", { exact: true }).fill("100");
  // The API refuses a threshold above 500 as the form does; the form says so first.
  await dialog.getByLabel("Alert thresholds (%)").fill("80, 100, 501");
  await dialog.getByRole("button", { name: "Add budget" }).click();
  await expect(dialog.getByText("Thresholds are whole percentages from 1 to 500")).toBeVisible();
  await dialog.getByLabel("Alert thresholds (%)").fill("80, 100");
  await dialog.getByRole("button", { name: "Add budget" }).click();
  await expect(dialog).toBeHidden();

  const budget = page.locator('[data-testid^="budget-progress-"]');
  await expect(budget.getByTestId("budget-used")).toHaveText("Used 0 kWh of 100 kWh (0%)");
  await expect(budget.getByTestId("threshold-tick")).toHaveCount(2);

  // 85 kWh today, written elsewhere: the page follows live, and the alert is raised once.
  await post(request, "/api/records", { meter_id: meterId, date: today(), amount: 85 }, access);
  await expect(budget.getByTestId("budget-used")).toHaveText("Used 85 kWh of 100 kWh (85%)");
  await expect(budget).toHaveAttribute("data-tone", "warning");
  // 80% crossed: one alert. Early in a month 85 kWh also forecasts more than 100: a second one.
  const budgets = await (await request.get(apiUrl("/api/budgets"), { headers: { Authorization: `Bearer ${access}` } })).json();
  const { forecast, limit } = budgets.items[0].progress;
  const unread = forecast > limit ? 2 : 1;
  const bell = page.getByRole("button", { name: `Notifications, ${unread} unread` });
  await expect(bell).toBeVisible();
  await expect(page.getByTestId("notification-count")).toHaveText(String(unread));

  await bell.click();
  const panel = page.getByRole("region", { name: "Latest notifications" });
  const alert = panel.getByRole("link", { name: "Power this month: 80% of the budget" });
  await expect(alert).toHaveAttribute("href", "/budgets");
  await expect(panel.locator('[data-testid^="notification-"]').filter({ hasText: "Power this month: 80% of the budget" })).toContainText(
    "A budget crosses one of its thresholds",
  );
  await panel.getByRole("link", { name: "All notifications" }).click();
  await expect(page).toHaveURL(/\/notifications$/);
  await expect(page.getByRole("button", { name: `Unread (${unread})` })).toBeVisible();
  await page.getByRole("button", { name: "Mark all read" }).click();
  await expect(page.getByRole("button", { name: "Unread (0)" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Notifications", exact: true })).toBeVisible();

  // The dashboard shows the same progress.
  await page.goto(webUrl("/dashboard"));
  await expect(page.getByTestId("budget-card-list").getByTestId("budget-used")).toHaveText("Used 85 kWh of 100 kWh (85%)");
});

test("a webhook's test delivery to an address where nothing listens shows its error and next attempt", async ({ page }) => {
  const port = await closedPort();
  await signIn(page, email, PASSWORD, `/login?next=${encodeURIComponent(`/households/${householdId}`)}`);
  await page.getByRole("button", { name: "Add webhook" }).click();
  const dialog = page.getByRole("dialog", { name: "Add webhook" });
  await dialog.getByLabel("Payload URL").fill(`http://127.0.0.1:${port}/hook`);
  await dialog.getByLabel("Description").fill("Nobody home");
  await dialog.getByLabel("budget.threshold").check();
  await dialog.getByRole("button", { name: "Add webhook" }).click();
  await expect(dialog).toBeHidden();
  const secret = page.getByLabel("Signing secret");
  await expect(secret).toHaveValue(/^whsec_/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(secret).toBeHidden();
  await page.reload();
  await expect(page.getByText(`http://127.0.0.1:${port}/hook`)).toBeVisible();
  await expect(page.getByText(/whsec_/)).toHaveCount(0);

  await page.getByRole("button", { name: "Send test" }).click();
  const log = page.getByRole("table", { name: "Deliveries" });
  const row = log.locator('[data-testid^="delivery-"]').first();
  await expect(row.locator("td").nth(0)).toHaveText("webhook.test");
  // The first attempt failed (nothing listens): retried after a minute, with the reason.
  await expect(row.locator("td").nth(1)).toHaveText("Retrying");
  await expect(row.locator("td").nth(3)).toHaveText("1");
  await expect(row.locator("td").nth(4)).toContainText("Next attempt");
  await expect(row.locator("td").nth(5)).not.toHaveText("—");
});

test("axe finds nothing on /budgets and /notifications in both themes", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  await signIn(page, email, PASSWORD, "/login?next=%2Fbudgets");
  await expect(page.locator('[data-testid^="budget-progress-"]')).toBeVisible();
  for (const theme of ["light", "dark"] as const) {
    await page.getByLabel("Theme").selectOption(theme);
    for (const path of ["/budgets", "/notifications"]) {
      await page.goto(webUrl(path));
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.getByText("Loading", { exact: false })).toHaveCount(0);
      await accessible(page);
    }
    await page.goto(webUrl("/budgets"));
    await page.getByRole("button", { name: "Add budget" }).click();
    await expect(page.getByRole("dialog", { name: "Add budget" })).toBeVisible();
    await accessible(page);
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: /^Notifications/ }).click();
    await expect(page.getByRole("region", { name: "Latest notifications" })).toBeVisible();
    await accessible(page);
    await page.keyboard.press("Escape");
  }
  await page.getByLabel("Theme").selectOption("system");

  // At 375 px the header keeps the bell without scrolling sideways, and so do both pages.
  await page.setViewportSize({ width: 375, height: 800 });
  for (const path of ["/budgets", "/notifications"]) {
    await page.goto(webUrl(path));
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Notifications/ })).toBeVisible();
    await noHorizontalScroll(page);
  }
});
