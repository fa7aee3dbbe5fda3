/**
 * Costs against the real API: a tariff added on a meter with records changes the dashboard's cost
 * breakdown and billing card at once (past days included), and a bill shows its difference from
 * what the readings say. axe-core over the meter page, the bills page and the dashboard in both themes.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { apiUrl, linkIn, PASSWORD, signIn, today, waitForMail, webUrl } from "./support/helpers";

const email = `ada.costs.${Date.now()}@example.com`;
const day = today();
const dayOfMonth = Number(day.slice(8, 10));
const thisMonth = `${day.slice(0, 8)}01`;
const year = Number(day.slice(0, 4));
const month = Number(day.slice(5, 7));
const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
const lastMonth1 = new Date(Date.UTC(year, month - 2, 1)).toISOString().slice(0, 10);
const daysInLastMonth = new Date(Date.UTC(year, month - 1, 0)).getUTCDate();

/** The tariff the journey adds: from the first of last month, $0.50/kWh, $1/day, 10% tax. */
const PRICE = 0.5;
const STANDING = 1;
const TAX = 10;
/** 10 kWh on the first of this month and 5 today, without an entered cost (the tariff prices them). */
const USED = 15;

const cents = (value: number) => Math.round(value * 100) / 100;
const usd = (value: number) => new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(value);

// This month to date, priced by the tariff: usage, a standing charge on every day (with or without records), tax.
const usage = cents(USED * PRICE);
const standing = cents(dayOfMonth * STANDING);
const tax = cents(((USED * PRICE + dayOfMonth * STANDING) * TAX) / 100);
const monthCost = cents(usage + standing + tax);
// Every day from the first of last month to today changes price (a standing charge on each).
const pricedDays = daysInLastMonth + dayOfMonth;
const pastChange = cents((USED * PRICE + pricedDays * STANDING) * (1 + TAX / 100));
const daysLeft = daysInMonth - dayOfMonth;

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

let meterId = 0;
let meterName = "";

test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 900 } });

test.beforeAll(async ({ request }) => {
  await post(request, "/api/auth/register", { email, password: PASSWORD, name: "Ada Lovelace" });
  const token = new URL(linkIn(await waitForMail(email, /verif|confirm/i), "verify-email")).searchParams.get("token");
  await post(request, "/api/auth/verify-email", { token });
  const { access_token: access } = await post(request, "/api/auth/login", { email, password: PASSWORD });
  const meters = await (await request.get(apiUrl("/api/meters"), { headers: { Authorization: `Bearer ${access}` } })).json();
  const electricity = meters.items.find((meter: { type: string; unit: string }) => meter.type === "electricity" && meter.unit === "kWh");
  meterId = electricity.id;
  meterName = electricity.name;
  await post(request, "/api/records", { meter_id: meterId, date: thisMonth, amount: 10 }, access);
  if (day !== thisMonth) await post(request, "/api/records", { meter_id: meterId, date: day, amount: 5 }, access);
  else await post(request, "/api/records", { meter_id: meterId, date: day, amount: 5, note: "second" }, access);
});

test("a tariff prices the past, the dashboard's costs follow, a bill shows its difference", async ({ page }) => {
  await signIn(page, email, PASSWORD, "/login?next=%2Fdashboard");
  const breakdown = page.getByTestId("cost-breakdown-electricity");
  await expect(breakdown).toContainText(`Electricity${usd(0)}${usd(0)}${usd(0)}${usd(0)}`);
  await expect(page.getByTestId("billing-electricity").getByTestId("billing-to-date")).toContainText(`To date${usd(0)}`);

  // The meters page links the meter to its page, which has no tariff yet.
  await page.getByRole("link", { name: "Meters", exact: true }).first().click();
  await page.getByRole("link", { name: `${meterName}: details and tariffs` }).click();
  await expect(page).toHaveURL(webUrl(`/meters/${meterId}`));
  await expect(page.getByRole("heading", { level: 1, name: meterName })).toBeVisible();
  await expect(page.getByTestId("meter-month")).toContainText("15 kWh");
  await expect(page.getByText("No tariff yet")).toBeVisible();

  // What changes in past costs shows before anything is saved.
  await page.getByRole("button", { name: "Add tariff" }).click();
  const dialog = page.getByRole("dialog", { name: "Add tariff" });
  await dialog.getByLabel("Valid from").fill(lastMonth1);
  await dialog.getByLabel("Unit price").fill(String(PRICE));
  await dialog.getByLabel("Standing charge").fill(String(STANDING));
  await dialog.getByLabel("Tax").fill(String(TAX));
  await dialog.getByRole("button", { name: "Review" }).click();
  await expect(dialog.getByTestId("tariff-dry-run")).toContainText(`Past costs change by +${usd(pastChange)} over ${pricedDays} days.`);
  await dialog.getByRole("button", { name: "Save tariff" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("row").filter({ hasText: "onwards" })).toContainText("$0.50/kWh");
  await expect(page.getByTestId("meter-month")).toContainText(usd(monthCost));

  // The dashboard's cost breakdown and billing card (billing day 1: this month) now price every day.
  await page.getByRole("link", { name: "Dashboard", exact: true }).first().click();
  await expect(breakdown).toContainText(`Electricity${usd(usage)}${usd(standing)}${usd(tax)}${usd(monthCost)}`);
  const billing = page.getByTestId("billing-electricity");
  await expect(billing.getByTestId("billing-to-date")).toContainText(`To date${usd(monthCost)}`);
  await expect(billing.getByTestId("billing-forecast")).toContainText(
    daysLeft > 0 ? `Forecast (${daysLeft} day${daysLeft === 1 ? "" : "s"} left)` : "Period total",
  );

  // A bill of this month to date, $12.40 over what the readings and the tariff say.
  await page.getByRole("link", { name: "Bills", exact: true }).first().click();
  await expect(page.getByText("No bills yet")).toBeVisible();
  await page.getByRole("button", { name: "Add bill" }).click();
  const bill = page.getByRole("dialog", { name: "Add bill" });
  await bill.getByLabel("Meter").selectOption(String(meterId));
  await bill.getByLabel("From", { exact: true }).fill(thisMonth);
  await bill.getByLabel("To", { exact: true }).fill(day);
  await bill.getByLabel("Billed cost").fill(cents(monthCost + 12.4).toFixed(2));
  await bill.getByRole("button", { name: "Add bill" }).click();
  await expect(bill).toBeHidden();
  const difference = page.locator('[data-testid^="bill-difference-"]');
  await expect(difference).toContainText("Billed $12.40 more than your readings say");
  await expect(difference).toHaveAttribute("data-tone", "more");
  await expect(page.locator('[data-testid^="bill-"]').getByTestId("bill-computed").first()).toContainText(usd(monthCost));
});

test("axe finds nothing on the meter page, the bills and the dashboard's cost cards in both themes", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  await signIn(page, email, PASSWORD, "/login?next=%2Fdashboard");
  await expect(page.getByTestId("billing-electricity")).toBeVisible();
  for (const theme of ["light", "dark"] as const) {
    await page.getByLabel("Theme").selectOption(theme);
    for (const path of [`/meters/${meterId}`, "/bills", "/dashboard"]) {
      await page.goto(webUrl(path));
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.getByText("Loading", { exact: false })).toHaveCount(0);
      await accessible(page);
    }
    // The tariff and bill dialogs too.
    await page.goto(webUrl(`/meters/${meterId}`));
    await page.getByRole("button", { name: "Add tariff" }).click();
    await expect(page.getByRole("dialog", { name: "Add tariff" })).toBeVisible();
    await accessible(page);
    await page.keyboard.press("Escape");
    await page.goto(webUrl("/bills"));
    await page.getByRole("button", { name: "Add bill" }).click();
    await expect(page.getByRole("dialog", { name: "Add bill" })).toBeVisible();
    await accessible(page);
    await page.keyboard.press("Escape");
  }
  await page.getByLabel("Theme").selectOption("system");
});
