/**
 * The dashboard's periods, the records' URL state and the record form against the real API,
 * at 1280 and 375 px, with axe-core over the pages in both themes.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { apiUrl, linkIn, PASSWORD, signIn, today, waitForMail, webUrl } from "./support/helpers";

const SHOTS = resolve(__dirname, "..", "..", "docs", "screenshots");
const email = `grace.${Date.now()}@example.com`;
const day = today();
const thisMonth = `${day.slice(0, 8)}01`;
const lastMonthDate = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 2, 10));
const lastMonth10 = lastMonthDate.toISOString().slice(0, 10);
const lastMonth1 = `${lastMonth10.slice(0, 8)}01`;
const lastMonthEnd = new Date(Date.UTC(lastMonthDate.getUTCFullYear(), lastMonthDate.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
const lastMonthName = lastMonthDate.toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });

async function shoot(page: Page, name: string) {
  if (process.env.E2E_SCREENSHOTS !== "1") return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(1200); // let charts finish their animation (a theme change animates them again)
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

/** No WCAG 2 A/AA violation on the page as it is. */
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

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ request }) => {
  await post(request, "/api/auth/register", { email, password: PASSWORD, name: "Grace Hopper" });
  const token = new URL(linkIn(await waitForMail(email, /verif|confirm/i), "verify-email")).searchParams.get("token");
  await post(request, "/api/auth/verify-email", { token });
  const { access_token: access } = await post(request, "/api/auth/login", { email, password: PASSWORD });
  const meters = await (await request.get(apiUrl("/api/meters"), { headers: { Authorization: `Bearer ${access}` } })).json();
  const electricity = meters.items.find((meter: { type: string }) => meter.type === "electricity").id;
  const water = meters.items.find((meter: { type: string }) => meter.type === "water").id;
  const records = [
    { meter_id: electricity, date: lastMonth10, amount: 20, cost: 6, note: "last month" },
    { meter_id: water, date: lastMonth10, amount: 1.5, cost: 2, note: "last month water" },
    { meter_id: electricity, date: thisMonth, amount: 8.25, cost: 2.5, note: "this month" },
  ];
  for (const record of records) await post(request, "/api/records", record, access);
});

for (const width of [1280, 375]) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: width === 375 ? 812 : 900 } });

    test("step back a month with the arrow, see its figures, reload and keep them", async ({ page }) => {
      await signIn(page, email, PASSWORD, "/login?next=%2Fdashboard");
      const electricity = page.getByTestId("kpi-electricity");
      await expect(electricity.getByTestId("kpi-total")).toHaveText("8.3 kWh");

      await page.getByRole("button", { name: "Previous month" }).click();
      await expect(page).toHaveURL(webUrl(`/dashboard?date=${lastMonth1}`));
      await expect(page.getByTestId("period-title")).toHaveText(lastMonthName);
      await expect(electricity.getByTestId("kpi-total")).toHaveText("20 kWh");
      await expect(electricity.getByTestId("kpi-cost")).toContainText("Cost: $6.00 · 1 record");
      await expect(page.getByTestId("kpi-water").getByTestId("kpi-total")).toHaveText("1.5 m³");
      await expect(page.getByRole("img", { name: "Electricity consumption per day in kWh" })).toBeVisible();

      await page.reload();
      await expect(page.getByTestId("period-title")).toHaveText(lastMonthName);
      await expect(electricity.getByTestId("kpi-total")).toHaveText("20 kWh");
      await expect(page.getByRole("button", { name: "Next month" })).toBeEnabled();
      if (width === 375) await shoot(page, "dashboard-month-375-light");

      await page.getByRole("button", { name: "Today" }).click();
      await expect(page).toHaveURL(webUrl("/dashboard"));
      await expect(electricity.getByTestId("kpi-total")).toHaveText("8.3 kWh");
    });

    test("filter records, reload and keep the filters", async ({ page }) => {
      await signIn(page, email, PASSWORD, "/login?next=%2Frecords");
      await expect(page.getByTestId("records-footer")).toBeVisible();
      if (width === 375) await page.getByRole("button", { name: "Filters (0)" }).click();
      await page.getByLabel("Meter", { exact: true }).selectOption({ label: "Electricity" });
      await page.getByLabel("From", { exact: true }).fill(lastMonth1);
      await page.getByLabel("To", { exact: true }).fill(lastMonthEnd);
      await expect(page).toHaveURL(/meter_id=\d+&date_from=.*&date_to=/);
      const footer = page.getByTestId("records-footer");
      await expect(footer).toHaveText("1 record · Electricity 20 kWh · Cost $6.00");

      await page.reload();
      await expect(footer).toHaveText("1 record · Electricity 20 kWh · Cost $6.00");
      if (width === 375) {
        await expect(page.getByRole("button", { name: "Filters (3)" })).toBeVisible();
        await expect(page.getByTestId("records-cards").getByRole("listitem")).toHaveCount(1);
      } else {
        await expect(page.getByLabel("From", { exact: true })).toHaveValue(lastMonth1);
        await expect(page.getByTestId("records-table").getByRole("row")).toHaveCount(2);
      }
    });

    test('add a record with "12,5"', async ({ page }) => {
      await signIn(page, email, PASSWORD, "/login?next=%2Frecords");
      await page.getByRole("button", { name: "Add record" }).click();
      const dialog = page.getByRole("dialog", { name: "Add record" });
      await dialog.getByLabel("Meter").selectOption({ label: "Water (m³)" });
      await expect(dialog.getByTestId("field-suffix")).toHaveText("m³");
      await dialog.getByLabel("Date").fill(thisMonth);
      await dialog.getByLabel("Amount").fill("12,5");
      await dialog.getByLabel("Note (optional)").fill(`comma ${width}`);
      await dialog.getByRole("button", { name: "Add record" }).click();
      await expect(dialog).toBeHidden();
      const shown = width === 375 ? page.getByTestId("records-cards") : page.getByTestId("records-table");
      await expect(shown.getByText(`comma ${width}`)).toBeVisible();
      await expect(shown.locator(width === 375 ? "li" : "tr").filter({ hasText: `comma ${width}` })).toContainText("12.50 m³");
    });
  });
}

test("axe finds nothing on the dashboard, records and meters in both themes; screenshots of every period", async ({ page }) => {
  // Charts drawn at once (no animation), so the screenshots show them whole.
  await page.emulateMedia({ reducedMotion: "reduce" });
  await signIn(page, email, PASSWORD, "/login?next=%2Fdashboard");
  await expect(page.getByTestId("kpi-electricity")).toBeVisible();
  for (const theme of ["light", "dark"] as const) {
    await page.getByLabel("Theme").selectOption(theme);
    for (const period of ["day", "week", "month", "year"]) {
      await page.goto(webUrl(period === "month" ? "/dashboard" : `/dashboard?period=${period}`));
      await expect(page.getByRole("button", { name: period[0]!.toUpperCase() + period.slice(1), exact: true })).toHaveAttribute(
        "aria-pressed",
        "true",
      );
      await expect(page.getByTestId("kpi-electricity")).toBeVisible();
      await accessible(page);
      await shoot(page, `dashboard-${period}-${theme}`);
    }
    for (const path of ["/records", "/meters"]) {
      await page.goto(webUrl(path));
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.getByText("Loading", { exact: false })).toHaveCount(0);
      await accessible(page);
      await shoot(page, `${path.slice(1)}-page-${theme}`);
    }
  }
  await page.getByLabel("Theme").selectOption("system");
});
